import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { useEntity } from '@backstage/plugin-catalog-react';
import { BillingView } from './BillingView';

/** Groups own Orochi clusters, so each group has a billing account. */
export const isGroup = (entity: Entity) => entity.kind.toLocaleLowerCase('en-US') === 'group';

/** The team's billing as a tab of its group's entity page. */
export const EntityBillingContent = () => {
  const { entity } = useEntity();
  return <BillingView group={stringifyEntityRef(entity)} />;
};
