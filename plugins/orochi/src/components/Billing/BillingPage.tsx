import { identityApiRef, useApi } from '@backstage/frontend-plugin-api';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { humanizeEntityRef } from '@backstage/plugin-catalog-react';
import { Alert, Container, Flex, Select, Skeleton, Text } from '@backstage/ui';
import { useSearchParams } from 'react-router-dom';
import useAsync from 'react-use/esm/useAsync';
import { BillingView } from './BillingView';

/**
 * The Billing page under Databases: the billing of one of the user's teams (`?group=`), the first one by default.
 * Stripe's pages return here (`?checkout=success`).
 */
export const BillingPage = () => {
  const identity = useApi(identityApiRef);
  const [params, setParams] = useSearchParams();
  const { value: groups, loading, error } = useAsync(async () => {
    const { ownershipEntityRefs } = await identity.getBackstageIdentity();
    return ownershipEntityRefs.filter(ref => parseEntityRef(ref).kind.toLocaleLowerCase('en-US') === 'group');
  }, [identity]);

  if (loading) return <Skeleton width="100%" height={240} />;
  const asked = params.get('group');
  const group = asked ? stringifyEntityRef(parseEntityRef(asked, { defaultKind: 'group' })) : groups?.[0];
  return (
    <Container>
      <Flex direction="column" gap="4">
        <Text variant="title-medium" as="h1">
          Billing
        </Text>
        {params.get('checkout') === 'success' && (
          <Alert status="success" title="Payment received" description="The plan changes as soon as the billing provider confirms it." />
        )}
        {error && <Alert status="danger" title="Your teams could not be loaded" description={error.message} />}
        {(groups?.length ?? 0) > 1 && (
          <Select
            label="Team"
            options={groups!.map(ref => ({ id: ref, label: humanizeEntityRef(parseEntityRef(ref), { defaultKind: 'group' }) }))}
            selectedKey={group}
            onSelectionChange={key => setParams({ group: String(key) })}
          />
        )}
        {group ? <BillingView key={group} group={group} /> : <Text>You are not in a team, so no billing is yours to see.</Text>}
      </Flex>
    </Container>
  );
};
