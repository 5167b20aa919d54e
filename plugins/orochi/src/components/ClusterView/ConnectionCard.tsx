import { useApi } from '@backstage/frontend-plugin-api';
import { Alert, Button, Flex, Text } from '@backstage/ui';
import { TitledCard } from './TitledCard';
import { billingSuspensionMessage, Cluster, ConnectionDetails, connectionUri } from '@orochi/backstage-plugin-orochi-common';
import { useState } from 'react';
import { orochiApiRef } from '../../api';
import { describeApiError } from '@orochi/backstage-plugin-orochi-common';
import { Allowance } from '../../hooks/useClusterPermissions';

const CopyButton = ({ text, label }: { text: string; label: string }) => {
  const [copied, setCopied] = useState(false);
  return (
    <Button
      size="small"
      variant="tertiary"
      aria-label={`Copy ${label}`}
      onPress={async () => {
        await navigator.clipboard.writeText(text);
        setCopied(true);
      }}
    >
      {copied ? 'Copied' : 'Copy'}
    </Button>
  );
};

const Field = ({ label, value, copy = false }: { label: string; value: string; copy?: boolean }) => (
  <Flex align="center" gap="2">
    <Text color="secondary" style={{ minWidth: '7rem' }}>
      {label}
    </Text>
    <Text as="span" aria-label={label} style={{ fontFamily: 'monospace', wordBreak: 'break-all' }}>
      {value}
    </Text>
    {copy && <CopyButton text={value} label={label} />}
  </Flex>
);

/** Why a cluster has no endpoint. */
function stoppedMessage(cluster: Cluster): string {
  if (cluster.billingSuspended) return `Billing suspended the cluster: ${billingSuspensionMessage(cluster.billingSuspended)}.`;
  if (cluster.idleSuspended) {
    return `The cluster was suspended after ${cluster.scaleToZero.idleMinutes} idle minutes (scale to zero); wake it to connect.`;
  }
  return cluster.hibernated ? 'The cluster is hibernated; wake it to connect.' : 'The cluster has no endpoint yet.';
}

/** Scale to zero as it bears on connecting: whether the address wakes the cluster, and since when it is idle. */
function scaleToZeroNote(cluster: Cluster, idleSince?: string): string | undefined {
  const { enabled, idleMinutes } = cluster.scaleToZero;
  if (cluster.idleSuspended) {
    const since = idleSince ? `, idle since ${new Date(idleSince).toLocaleString()}` : '';
    return `Suspended when idle${since}. The first connection to this address wakes it; the client waits the moment that takes.`;
  }
  if (enabled && !cluster.hibernated) {
    return `Scale to zero is on: after ${idleMinutes} idle minutes the cluster is suspended, and the next connection to this address wakes it.`;
  }
  return undefined;
}

/**
 * Where to connect: host, port, database, user, a psql command and a URI. The password is revealed only on
 * request, to those allowed (orochi.cluster.credentials.read); every reveal is audited.
 */
export const ConnectionCard = ({
  cluster,
  credentials,
  idleSince,
}: {
  cluster: Cluster;
  credentials: Allowance;
  /** When a suspended cluster's last activity was, from its suspend operation. */
  idleSince?: string;
}) => {
  const orochi = useApi(orochiApiRef);
  const [revealed, setRevealed] = useState<ConnectionDetails>();
  const [error, setError] = useState<string>();
  const [revealing, setRevealing] = useState(false);
  const primary = cluster.endpoints.find(e => e.role === 'primary');
  const replica = cluster.endpoints.find(e => e.role === 'replica');
  const pooler = cluster.endpoints.find(e => e.role === 'pooler');

  if (!primary) {
    return (
      <TitledCard title="Connect">
          <Text color="secondary">
            {stoppedMessage(cluster)}
          </Text>
        </TitledCard>
    );
  }

  const uri = revealed?.uri ?? connectionUri({ host: primary.host, port: primary.port, database: cluster.database, user: cluster.user });
  const psql = `psql "${uri}"`;
  const reveal = async () => {
    setRevealing(true);
    try {
      setRevealed(await orochi.revealCredentials(cluster.id));
      setError(undefined);
    } catch (e) {
      setError(describeApiError(e));
    } finally {
      setRevealing(false);
    }
  };

  return (
    <TitledCard title="Connect">
        <Flex direction="column" gap="2">
          <Field label="Host" value={primary.host} copy />
          <Field label="Port" value={String(primary.port)} copy />
          {replica && <Field label="Read-only" value={`${replica.host}:${replica.port}`} copy />}
          {pooler && <Field label="Pooler" value={`${pooler.host}:${pooler.port}`} copy />}
          <Field label="Database" value={cluster.database} copy />
          <Field label="User" value={cluster.user} copy />
          {revealed ? (
            <Field label="Password" value={revealed.password} copy />
          ) : (
            <Flex align="center" gap="2">
              <Text color="secondary" style={{ minWidth: '7rem' }}>
                Password
              </Text>
              <Button size="small" onPress={reveal} isDisabled={!credentials.allowed || credentials.loading} isPending={revealing}>
                Reveal password
              </Button>
              {!credentials.loading && !credentials.allowed && (
                <Text color="secondary">You may not see this cluster’s password; ask its owners.</Text>
              )}
            </Flex>
          )}
          <Field label="psql" value={psql} copy />
          <Field label="URI" value={uri} copy />
          {error && <Alert status="danger" title="The password could not be revealed" description={error} />}
          {scaleToZeroNote(cluster, idleSince) && (
            <Text color="secondary" data-testid="scale-to-zero-note">
              {scaleToZeroNote(cluster, idleSince)}
            </Text>
          )}
        </Flex>
      </TitledCard>
  );
};
