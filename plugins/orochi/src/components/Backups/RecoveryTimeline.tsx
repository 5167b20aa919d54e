import { Flex, Text } from '@backstage/ui';
import { Backup, RecoveryWindow } from '@orochi/backstage-plugin-orochi-common';
import { localTime } from './format';

/** Where a moment lies on the bar, in percent of its width. */
function position(at: number, start: number, span: number): number {
  return Math.min(100, Math.max(0, ((at - start) / span) * 100));
}

/** The recovery window as a bar from its earliest to its latest moment, with each completed backup as a mark on it. */
export const RecoveryTimeline = ({ window, backups }: { window: RecoveryWindow; backups: Backup[] }) => {
  if (!window.earliest || !window.latest) {
    return <Text color="secondary">No recovery window yet: it opens with the first completed backup.</Text>;
  }
  const start = Date.parse(window.earliest);
  const span = Math.max(1, Date.parse(window.latest) - start);
  const marks = backups.filter(b => b.state === 'completed' && (b.recoverableFrom || b.finishedAt));
  return (
    <Flex direction="column" gap="1">
      <Text weight="bold">Recovery window</Text>
      <div
        role="img"
        aria-label={`Recovery window from ${localTime(window.earliest)} to ${localTime(window.latest)}, ${marks.length} ${marks.length === 1 ? 'backup' : 'backups'}`}
        style={{
          position: 'relative',
          height: 12,
          margin: '6px 0',
          borderRadius: 6,
          background: 'var(--bui-announcement-bg-subdued, #bfdbfe)',
          border: '1px solid var(--bui-announcement-border, #60a5fa)',
        }}
      >
        {marks.map(backup => {
          const at = backup.recoverableFrom ?? backup.finishedAt!;
          return (
            <div
              key={backup.id}
              data-testid="backup-mark"
              title={`${backup.kind} backup, restorable from ${localTime(at)}`}
              style={{
                position: 'absolute',
                left: `calc(${position(Date.parse(at), start, span)}% - 2px)`,
                top: -4,
                width: 4,
                height: 20,
                borderRadius: 2,
                background: 'var(--bui-announcement-fg, #1d4ed8)',
              }}
            />
          );
        })}
      </div>
      <Flex justify="between" gap="2">
        <Text variant="body-small">Earliest: {localTime(window.earliest)}</Text>
        <Text variant="body-small">Latest: {localTime(window.latest)}</Text>
      </Flex>
    </Flex>
  );
};
