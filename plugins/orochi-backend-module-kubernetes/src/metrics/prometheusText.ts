import { InputError } from '@backstage/errors';

/** One sample line of the Prometheus text exposition format. */
export interface PrometheusSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL = /^\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*"((?:[^"\\]|\\.)*)"\s*(,?)/;
const VALUE = /^\s+(\S+)(?:\s+-?\d+)?\s*$/;
const SPECIAL_VALUES: Record<string, number> = { NaN: NaN, '+Inf': Infinity, Inf: Infinity, '-Inf': -Infinity };

const unescape = (value: string) => value.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));

/**
 * The samples of a scrape in the Prometheus text format (version 0.0.4, what client_golang writes): comments and
 * `# HELP`/`# TYPE` lines are skipped, label values unescaped, an optional timestamp dropped.
 */
export function parsePrometheusText(text: string): PrometheusSample[] {
  const samples: PrometheusSample[] = [];
  text.split('\n').forEach((raw, index) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const fail = (): never => {
      throw new InputError(`Line ${index + 1} is not a Prometheus sample: ${line.slice(0, 200)}`);
    };
    const name = NAME.exec(line)?.[0] ?? fail();
    let rest = line.slice(name.length);
    const labels: Record<string, string> = {};
    if (rest.startsWith('{')) {
      rest = rest.slice(1);
      for (;;) {
        const label = LABEL.exec(rest);
        if (!label) break;
        labels[label[1]] = unescape(label[2]);
        rest = rest.slice(label[0].length);
        if (!label[3]) break;
      }
      rest = /^\s*\}/.exec(rest) ? rest.slice(rest.indexOf('}') + 1) : fail();
    }
    const valueText = VALUE.exec(rest)?.[1] ?? fail();
    const value = valueText in SPECIAL_VALUES ? SPECIAL_VALUES[valueText] : Number(valueText);
    if (Number.isNaN(value) && valueText !== 'NaN') fail();
    samples.push({ name, labels, value });
  });
  return samples;
}
