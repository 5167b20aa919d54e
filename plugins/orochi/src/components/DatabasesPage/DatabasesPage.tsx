import { Container } from '@backstage/ui';
import { Route, Routes } from 'react-router-dom';
import { ClusterList } from '../ClusterList';
import { ClusterPage } from '../ClusterPage';

/** The Databases page: the list, and each cluster's own page below it. */
export const DatabasesPage = () => (
  <Routes>
    <Route
      path="/"
      element={
        <Container>
          <ClusterList />
        </Container>
      }
    />
    <Route path="/clusters/:clusterId" element={<ClusterPage />} />
  </Routes>
);
