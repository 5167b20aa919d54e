import { screen } from '@testing-library/react';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import { DatabasesPage } from './DatabasesPage';

describe('DatabasesPage', () => {
  it('shows the empty state', async () => {
    await renderInTestApp(<DatabasesPage />);
    expect(await screen.findByText('No databases yet')).toBeInTheDocument();
  });
});
