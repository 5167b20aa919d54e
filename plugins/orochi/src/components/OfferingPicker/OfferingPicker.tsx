import { Select, Text } from '@backstage/ui';
import type { FieldExtensionComponentProps } from '@backstage/plugin-scaffolder-react';
import { Offering } from '@orochi/backstage-plugin-orochi-common';
import { useEffect } from 'react';
import { useOffering } from '../../hooks/useOffering';

/** Which list of the offering a picker chooses from. */
export type OfferingChoice = 'size' | 'region' | 'version';

function offeringOptions(offering: Offering, choice: OfferingChoice) {
  switch (choice) {
    case 'size':
      return offering.sizes.map(s => ({ id: s.name, label: s.title }));
    case 'region':
      return offering.regions.map(r => ({ id: r, label: r }));
    case 'version':
      return offering.versions.map(v => ({ id: String(v), label: `PostgreSQL ${v}` }));
    default:
      return [];
  }
}

/**
 * A scaffolder field that chooses a size, region or PostgreSQL version from what this Orochi installation
 * offers (GET /api/orochi/config), so templates never repeat the vocabulary. `ui:options: { choice: size }`.
 */
export const OfferingPicker = (
  props: FieldExtensionComponentProps<string | number, { choice?: OfferingChoice }>,
) => {
  const { onChange, formData, schema, uiSchema, required, rawErrors } = props;
  const choice = uiSchema['ui:options']?.choice ?? 'size';
  const { offering, error } = useOffering();

  useEffect(() => {
    // Fill in the installation's default so the form submits a value the user has seen.
    if (offering && formData === undefined) {
      const value = offering.defaults[choice];
      onChange(choice === 'version' ? Number(value) : value);
    }
  }, [offering, formData, choice, onChange]);

  if (error) {
    return <Text color="danger">Could not load Orochi's choices: {error.message}</Text>;
  }
  return (
    <Select
      label={schema.title ?? choice}
      description={schema.description}
      isRequired={required}
      options={offering ? offeringOptions(offering, choice) : []}
      selectedKey={formData === undefined ? null : String(formData)}
      onSelectionChange={key => onChange(choice === 'version' ? Number(key) : String(key))}
      isInvalid={!!rawErrors?.length}
    />
  );
};
