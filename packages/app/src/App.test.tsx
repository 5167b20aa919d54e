import { render, screen } from '@testing-library/react';
import App from './App';

describe('App', () => {
  it('greets a new visitor with the sign-in page and its guest entry', async () => {
    process.env = {
      NODE_ENV: 'test',
      APP_CONFIG: [
        {
          data: {
            app: { title: 'Test' },
            backend: { baseUrl: 'http://localhost:7007' },
            techdocs: {
              storageUrl: 'http://localhost:7007/api/techdocs/static/docs',
            },
          },
          context: 'test',
        },
      ] as any,
    };

    render(App.createRoot());

    // A visitor who is not signed in sees the app's sign-in page: its title and the guest provider's Enter button.
    expect(await screen.findByRole('button', { name: 'Enter' })).toBeEnabled();
    expect(screen.getByRole('heading', { name: 'Test' })).toBeInTheDocument();
    expect(screen.getByText('Guest')).toBeInTheDocument();
  });
});
