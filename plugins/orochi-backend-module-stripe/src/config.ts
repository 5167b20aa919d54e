import { Config, readDurationFromConfig } from '@backstage/config';
import { durationToMilliseconds } from '@backstage/types';

/** `orochi.billing.stripe`, read once, here. */
export interface StripeConfig {
  secretKey: string;
  webhookSecret: string;
  plans: Map<string, { basePrice?: string; meteredPrices: string[] }>;
  meterEventPrefix: string;
  timeoutMs: number;
  maxNetworkRetries: number;
  api?: { host: string; port?: number; protocol?: 'http' | 'https' };
}

/** The Stripe settings, or undefined when Stripe is not configured (the module then adds no provider). */
export function readStripeConfig(root: Config): StripeConfig | undefined {
  const config = root.getOptionalConfig('orochi.billing.stripe');
  if (!config) return undefined;
  const plans = new Map<string, { basePrice?: string; meteredPrices: string[] }>();
  const plansConfig = config.getOptionalConfig('plans');
  for (const plan of plansConfig?.keys() ?? []) {
    const entry = plansConfig!.getConfig(plan);
    plans.set(plan, {
      basePrice: entry.getOptionalString('basePrice'),
      meteredPrices: entry.getOptionalStringArray('meteredPrices') ?? [],
    });
  }
  const api = config.getOptionalConfig('api');
  const protocol = api?.getOptionalString('protocol');
  if (protocol !== undefined && protocol !== 'http' && protocol !== 'https') {
    throw new Error(`orochi.billing.stripe.api.protocol must be http or https, got ${protocol}`);
  }
  return {
    secretKey: config.getString('secretKey'),
    webhookSecret: config.getString('webhookSecret'),
    plans,
    meterEventPrefix: config.getOptionalString('meterEventPrefix') ?? 'orochi_',
    timeoutMs: config.has('timeout') ? durationToMilliseconds(readDurationFromConfig(config, { key: 'timeout' })) : 20_000,
    maxNetworkRetries: config.getOptionalNumber('maxNetworkRetries') ?? 2,
    ...(api ? { api: { host: api.getString('host'), port: api.getOptionalNumber('port'), protocol } } : {}),
  };
}
