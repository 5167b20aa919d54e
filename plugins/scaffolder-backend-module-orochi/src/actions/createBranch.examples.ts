import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description: 'A branch of orders-db as it is now, for a day (the offering’s default), waiting until it is ready',
    example: yaml.stringify({
      steps: [
        {
          id: 'branch',
          action: 'orochi:branch:create',
          name: 'Branch the database',
          input: { parent: 'orders-db', name: 'orders-db-pr-42' },
        },
      ],
    }),
  },
  {
    description: 'A branch of the cluster an EntityPicker chose, for one hour, owned by a group of its own choosing',
    example: yaml.stringify({
      steps: [
        {
          id: 'branch',
          action: 'orochi:branch:create',
          name: 'Branch the database',
          input: {
            parent: '${{ parameters.database }}',
            name: 'orders-db-load-test',
            ttlHours: 1,
            owner: 'group:default/team-payments',
          },
        },
      ],
    }),
  },
  {
    description: 'A branch of orders-db as it was before a migration, a moment inside its recovery window',
    example: yaml.stringify({
      steps: [
        {
          id: 'branch',
          action: 'orochi:branch:create',
          name: 'Branch the database before the migration',
          input: { parent: 'orders-db', name: 'orders-db-before-migration', targetTime: '${{ parameters.before }}', ttlHours: 168 },
        },
      ],
    }),
  },
];
