import { Card, CardBody, CardHeader, Text } from '@backstage/ui';
import { ReactNode } from 'react';

/** A card of the cluster view: a heading and its content. */
export const TitledCard = ({ title, children }: { title: string; children: ReactNode }) => (
  <Card>
    <CardHeader>
      <Text variant="title-x-small" as="h3">
        {title}
      </Text>
    </CardHeader>
    <CardBody>{children}</CardBody>
  </Card>
);
