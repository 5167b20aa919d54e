import { Container, Flex, Text } from '@backstage/ui';

/** Lists the Orochi clusters the signed-in user may see. */
export const DatabasesPage = () => (
  <Container>
    <Flex direction="column" gap="2" py="6">
      <Text variant="title-small" as="h2">
        No databases yet
      </Text>
      <Text>
        Databases your teams create with Orochi appear here, with their
        status, owner and size.
      </Text>
    </Flex>
  </Container>
);
