import { Flex, Text } from '@backstage/ui';
import { useId } from 'react';
import { fromLocalInput, toLocalInput } from './format';

export interface DateTimeFieldProps {
  label: string;
  /** The chosen moment as ISO (UTC), or undefined while the field is empty or incomplete. */
  value: string | undefined;
  onChange(value: string | undefined): void;
  /** The earliest and latest moments that may be chosen, as ISO. */
  min?: string;
  max?: string;
  description?: string;
  error?: string;
  isDisabled?: boolean;
}

/**
 * A moment picked in the user's time zone with the browser's own date-time input, bounded by `min` and `max`.
 * It speaks ISO to its caller: the conversion from and to local time happens here only.
 */
export const DateTimeField = ({ label, value, onChange, min, max, description, error, isDisabled }: DateTimeFieldProps) => {
  const id = useId();
  const descriptionId = `${id}-description`;
  const errorId = `${id}-error`;
  return (
    <Flex direction="column" gap="1">
      <label htmlFor={id}>
        <Text variant="body-small" weight="bold">
          {label}
        </Text>
      </label>
      <input
        id={id}
        type="datetime-local"
        step={1}
        value={value ? toLocalInput(value) : ''}
        min={min ? toLocalInput(min, 'up') : undefined}
        max={max ? toLocalInput(max, 'down') : undefined}
        onChange={event => onChange(fromLocalInput(event.target.value))}
        disabled={isDisabled}
        aria-invalid={error ? true : undefined}
        aria-describedby={[description ? descriptionId : '', error ? errorId : ''].filter(Boolean).join(' ') || undefined}
        style={{ font: 'inherit', padding: '6px 8px', maxWidth: 260, borderRadius: 4, border: '1px solid var(--bui-border-2, #8c8c8c)' }}
      />
      {description && (
        <Text id={descriptionId} variant="body-small" color="secondary">
          {description}
        </Text>
      )}
      {error && (
        <Text id={errorId} variant="body-small" color="danger">
          {error}
        </Text>
      )}
    </Flex>
  );
};
