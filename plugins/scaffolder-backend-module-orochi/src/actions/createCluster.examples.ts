import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description: 'A cluster with the offering’s defaults, waiting until it is ready',
    example: yaml.stringify({
      steps: [
        {
          id: 'database',
          action: 'orochi:cluster:create',
          name: 'Create the database',
          input: { name: 'orders-db', owner: 'team-payments' },
        },
      ],
    }),
  },
  {
    description: 'A highly available cluster: a primary and two standbys, medium size, in a system',
    example: yaml.stringify({
      steps: [
        {
          id: 'database',
          action: 'orochi:cluster:create',
          name: 'Create the database',
          input: {
            name: 'ledger-db',
            owner: 'group:default/team-payments',
            system: 'payments',
            size: 'medium',
            instances: 3,
            storageGb: 10,
            backups: true,
          },
        },
      ],
    }),
  },
  {
    description: 'Start the creation and go on without waiting (use orochi:cluster:wait later)',
    example: yaml.stringify({
      steps: [
        {
          id: 'database',
          action: 'orochi:cluster:create',
          name: 'Request the database',
          input: { name: 'search-db', owner: 'team-search', waitForReady: false },
        },
      ],
    }),
  },
];
