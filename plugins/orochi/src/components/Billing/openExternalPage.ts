/** Leaves the portal for a page of the billing provider (Checkout, the customer portal), which returns to it. */
export function openExternalPage(url: string) {
  window.location.assign(url);
}
