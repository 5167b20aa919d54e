/** A decoded form value: Stripe's bracket notation (`payload[value]=5`, `line_items[0][price]=p`) as objects. */
export type FormValue = string | FormValue[] | { [key: string]: FormValue };

/**
 * Decodes a Stripe v1 request body or query string. Keys with brackets nest; numeric segments make arrays, as the
 * SDK encodes them (`qs` with `arrayFormat: 'indices'`).
 */
export function decodeForm(text: string): Record<string, FormValue> {
  const root: Record<string, FormValue> = {};
  for (const [key, value] of new URLSearchParams(text)) {
    const path = key.split(/\[|\]\[|\]$/).filter((segment, i) => i === 0 || segment !== '');
    let node: any = root;
    path.forEach((segment, i) => {
      if (i === path.length - 1) {
        node[segment] = value;
        return;
      }
      node[segment] ??= /^\d+$/.test(path[i + 1]) ? [] : {};
      node = node[segment];
    });
  }
  return root;
}
