export { OfferingPicker } from './OfferingPicker';
export type { OfferingChoice } from './OfferingPicker';
