import { Text } from '@backstage/ui';
import { useNowForCountdown } from '../../hooks/useNow';
import { formatDuration, localTime } from '../Backups/format';

/** The countdown to a branch's expiry, "expires in 5 h 12 min", kept current; with the moment itself if asked. */
export const Expiry = ({ expiresAt, showTime = false }: { expiresAt?: string; showTime?: boolean }) => {
  const now = useNowForCountdown(expiresAt);
  if (!expiresAt) return <Text as="span">does not expire</Text>;
  const left = Date.parse(expiresAt) - now;
  const at = localTime(expiresAt);
  return (
    <Text as="span" title={at} data-testid="branch-expiry">
      {left > 0 ? `expires in ${formatDuration(left)}` : 'expired; it is being deleted'}
      {showTime ? ` (at ${at})` : ''}
    </Text>
  );
};
