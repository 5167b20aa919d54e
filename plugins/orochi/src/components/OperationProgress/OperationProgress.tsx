import { Flex, Text } from '@backstage/ui';
import { Operation, OperationStep } from '@orochi/backstage-plugin-orochi-common';

function duration(step: OperationStep): string {
  if (!step.startedAt) return '';
  const end = step.finishedAt ? Date.parse(step.finishedAt) : Date.now();
  return `${((end - Date.parse(step.startedAt)) / 1000).toFixed(1)} s`;
}

const MARKS: Record<OperationStep['state'], string> = {
  pending: '○',
  running: '◐',
  succeeded: '✓',
  failed: '✗',
};

/** An operation's steps with their timings, as the worker records them. */
export const OperationProgress = ({ operation }: { operation: Operation }) => (
  <Flex direction="column" gap="1" aria-label={`${operation.type} progress`}>
    <Text weight="bold">
      {operation.type} {operation.state}
      {operation.attempts > 1 ? ` (attempt ${operation.attempts})` : ''}
    </Text>
    {operation.steps.length === 0 && <Text color="secondary">Waiting for a worker…</Text>}
    {operation.steps.map(step => (
      <Text key={step.name} color={step.state === 'failed' ? 'danger' : 'primary'}>
        {MARKS[step.state]} {step.name} {duration(step) && <Text as="span" color="secondary">({duration(step)})</Text>}
        {step.message ? ` — ${step.message}` : ''}
      </Text>
    ))}
    {operation.error && <Text color="danger">{operation.error}</Text>}
  </Flex>
);
