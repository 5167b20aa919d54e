import { useApi } from '@backstage/frontend-plugin-api';
import { Button, Flex, Switch, Text, TextField } from '@backstage/ui';
import { BillingSummary, describeApiError } from '@orochi/backstage-plugin-orochi-common';
import { useState } from 'react';
import useAsyncFn from 'react-use/esm/useAsyncFn';
import { orochiApiRef } from '../../api';
import { TitledCard } from '../ClusterView/TitledCard';
import { usd } from './format';

/**
 * The team's monthly budget: alerts at 50 %, 80 % and 100 % of it as notifications to the team, and optionally a
 * hard stop that suspends the team's clusters at 100 % until the next month or a higher budget.
 */
export const BudgetForm = ({ group, summary, onSaved }: { group: string; summary: BillingSummary; onSaved(): void }) => {
  const orochi = useApi(orochiApiRef);
  const budget = summary.account.budget;
  const [amount, setAmount] = useState(budget ? String(budget.monthlyUsd) : '');
  const [hardStop, setHardStop] = useState(budget?.hardStop ?? false);
  const monthlyUsd = Number(amount);
  const invalid = amount !== '' && !(monthlyUsd > 0);
  const [saving, save] = useAsyncFn(async () => {
    await orochi.updateBillingAccount(group, { budget: amount === '' ? null : { monthlyUsd, hardStop } });
    onSaved();
  }, [orochi, group, amount, hardStop, monthlyUsd]);
  const spent = summary.invoice.totalUsd;
  return (
    <TitledCard title="Budget">
      <Flex direction="column" gap="2">
        <Text data-testid="budget-status">
          {budget
            ? `${usd(spent)} of ${usd(budget.monthlyUsd)} this month (${Math.round((spent / budget.monthlyUsd) * 100)} %); alerts at ${budget.alertThresholds.map(t => `${Math.round(t * 100)} %`).join(', ')}${budget.hardStop ? '; clusters stop at 100 %' : ''}.`
            : 'No budget: the team is never stopped for what it spends.'}
        </Text>
        <Flex gap="2" align="end">
          <TextField
            label="Monthly budget (USD)"
            value={amount}
            onChange={setAmount}
            isInvalid={invalid}
            description="Empty removes the budget."
          />
          <Switch label="Hard stop at 100 %" isSelected={hardStop} onChange={setHardStop} />
          <Button onPress={save} isDisabled={invalid || saving.loading}>
            Save budget
          </Button>
        </Flex>
        {saving.error && <Text color="danger">The budget was not saved: {describeApiError(saving.error)}</Text>}
      </Flex>
    </TitledCard>
  );
};
