import { createFormField } from '@backstage/plugin-scaffolder-react/alpha';
import { OfferingPicker } from './OfferingPicker';

/** Registered as `ui:field: OrochiOfferingPicker`. */
export const offeringPickerField = createFormField({
  name: 'OrochiOfferingPicker',
  component: OfferingPicker,
});
