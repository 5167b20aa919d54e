export { BillingPage } from './BillingPage';
export { BillingView } from './BillingView';
export { EntityBillingContent, isGroup } from './EntityBillingContent';
