import { Text } from '@backstage/ui';
import { Backup } from '@orochi/backstage-plugin-orochi-common';
import { humanBytes, localTime } from './format';

const cell = { padding: '4px 12px 4px 0', textAlign: 'left' as const, verticalAlign: 'top' as const };

const STATE_COLORS: Record<Backup['state'], 'success' | 'warning' | 'danger'> = {
  completed: 'success',
  running: 'warning',
  failed: 'danger',
};

/** A cluster's backups, newest first: kind, state, when it started and finished, and its size. */
export const BackupList = ({ backups }: { backups: Backup[] }) => {
  if (backups.length === 0) return <Text color="secondary">No backups yet.</Text>;
  const sorted = [...backups].sort((a, b) => Date.parse(b.startedAt) - Date.parse(a.startedAt));
  return (
    <div style={{ overflowX: 'auto' }}>
      <table aria-label="Backups" style={{ borderCollapse: 'collapse', width: '100%' }}>
        <thead>
          <tr>
            {['Kind', 'State', 'Started', 'Finished', 'Size'].map(title => (
              <th key={title} scope="col" style={cell}>
                <Text variant="body-small" weight="bold">
                  {title}
                </Text>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {sorted.map(backup => (
            <tr key={backup.id}>
              <td style={cell}>
                <Text>{backup.kind}</Text>
              </td>
              <td style={cell}>
                <Text color={STATE_COLORS[backup.state]} weight="bold">
                  {backup.state}
                </Text>
                {backup.error && (
                  <Text as="p" variant="body-small" color="danger">
                    {backup.error}
                  </Text>
                )}
              </td>
              <td style={cell}>
                <Text>{localTime(backup.startedAt)}</Text>
              </td>
              <td style={cell}>
                <Text>{localTime(backup.finishedAt)}</Text>
              </td>
              <td style={cell}>
                <Text>{humanBytes(backup.sizeBytes)}</Text>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
};
