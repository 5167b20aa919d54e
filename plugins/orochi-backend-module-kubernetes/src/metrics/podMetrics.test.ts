import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { containerUsage, parseQuantity, POSTGRES_CONTAINER } from './podMetrics';

const fixture = JSON.parse(readFileSync(join(__dirname, '__fixtures__', 'podMetrics.json'), 'utf8'));

describe('parseQuantity', () => {
  it.each([
    ['250m', 0.25],
    ['1234567n', 0.001234567],
    ['253417881n', 0.253417881],
    ['1500u', 0.0015],
    ['2', 2],
    ['0.5', 0.5],
    ['.5', 0.5],
    ['1.', 1],
    ['1k', 1000],
    ['1M', 1e6],
    ['2G', 2e9],
    ['1E', 1e18],
    ['123456Ki', 126418944],
    ['64Mi', 67108864],
    ['1.5Gi', 1610612736],
    ['1Ti', 2 ** 40],
    ['1e3', 1000],
    ['12E-3', 0.012],
    ['+5e+2', 500],
    ['-100m', -0.1],
  ])('reads %s as %d', (text, value) => {
    expect(parseQuantity(text)).toBeCloseTo(value, 12);
  });

  it.each(['', 'm', '1 Ki', '1KB', '1ki', '1e', '1e1.5', 'abc', '0x10'])('refuses "%s"', text => {
    expect(() => parseQuantity(text)).toThrow(/not a Kubernetes quantity/);
  });
});

describe('containerUsage', () => {
  it('reads the postgres container of metrics-server’s PodMetrics, not the sidecar', () => {
    expect(containerUsage(fixture, POSTGRES_CONTAINER)).toEqual({
      cpuCores: 0.253417881,
      memoryBytes: 187654 * 1024,
      at: Date.parse('2026-08-30T10:15:19Z'),
    });
  });

  it('answers undefined for a container the pod does not have yet', () => {
    expect(containerUsage({ ...fixture, containers: [] }, POSTGRES_CONTAINER)).toBeUndefined();
  });

  it('refuses what is not PodMetrics', () => {
    expect(() => containerUsage({ kind: 'Status' }, POSTGRES_CONTAINER)).toThrow(/no timestamp or no containers/);
    expect(() => containerUsage({ ...fixture, timestamp: 'yesterday' }, POSTGRES_CONTAINER)).toThrow(/no timestamp/);
    const noMemory = { ...fixture, containers: [{ name: 'postgres', usage: { cpu: '1m' } }] };
    expect(() => containerUsage(noMemory, POSTGRES_CONTAINER)).toThrow(/no CPU or memory/);
    const badCpu = { ...fixture, containers: [{ name: 'postgres', usage: { cpu: 'lots', memory: '1Mi' } }] };
    expect(() => containerUsage(badCpu, POSTGRES_CONTAINER)).toThrow(/"lots" is not a Kubernetes quantity/);
  });
});
