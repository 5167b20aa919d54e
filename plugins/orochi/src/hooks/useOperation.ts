import { useApi } from '@backstage/frontend-plugin-api';
import { Operation } from '@orochi/backstage-plugin-orochi-common';
import { useEffect, useState } from 'react';
import { orochiApiRef } from '../api';

export const OPERATION_POLL_MS = 1000;

/** An operation the user started, read again until it has succeeded or failed; undefined before it is known. */
export function useOperation(operationId: string | undefined): Operation | undefined {
  const orochi = useApi(orochiApiRef);
  const [operation, setOperation] = useState<Operation>();

  useEffect(() => {
    setOperation(undefined);
    if (!operationId) return undefined;
    let cancelled = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const read = async () => {
      try {
        const current = await orochi.getOperation(operationId);
        if (cancelled) return;
        setOperation(current);
        if (current.state === 'pending' || current.state === 'running') timer = setTimeout(read, OPERATION_POLL_MS);
      } catch {
        if (!cancelled) timer = setTimeout(read, OPERATION_POLL_MS);
      }
    };
    void read();
    return () => {
      cancelled = true;
      if (timer) clearTimeout(timer);
    };
  }, [orochi, operationId]);

  return operation;
}

/** Whether an operation has ended. */
export const ended = (operation?: Operation) => operation?.state === 'succeeded' || operation?.state === 'failed';
