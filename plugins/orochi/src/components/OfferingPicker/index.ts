export { OfferingPicker, offeringOptions } from './OfferingPicker';
export type { OfferingChoice } from './OfferingPicker';
