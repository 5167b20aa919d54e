import { Container } from '@backstage/ui';
import { Route, Routes } from 'react-router-dom';
import { ClusterList } from '../ClusterList';
import { BillingPage } from '../Billing';
import { ClusterPage } from '../ClusterPage';

/** The Databases page: the list, each cluster's own page below it, and the teams' billing. */
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
    <Route path="/billing" element={<BillingPage />} />
  </Routes>
);
