import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parsePrometheusText } from './prometheusText';

describe('parsePrometheusText', () => {
  it('reads every sample of a CloudNativePG exporter scrape, and skips HELP and TYPE lines', () => {
    const samples = parsePrometheusText(readFileSync(join(__dirname, '__fixtures__', 'cnpgExporter.txt'), 'utf8'));
    expect(samples).toHaveLength(129);
    expect(samples).toContainEqual({
      name: 'cnpg_backends_total',
      labels: { application_name: 'orders-api', datname: 'app', state: 'idle in transaction', usename: 'app' },
      value: 1,
    });
    expect(samples).toContainEqual({ name: 'cnpg_pg_database_size_bytes', labels: { datname: 'app' }, value: 9012345 });
    expect(samples).toContainEqual({ name: 'cnpg_pg_postmaster_start_time', labels: {}, value: 1756364531.281734 });
    expect(samples).toContainEqual({ name: 'go_memstats_gc_cpu_fraction', labels: {}, value: 1.0749468700447189e-5 });
    expect(samples.find(s => s.labels.value === 'slots_max')?.value).toBeNaN();
  });

  it('unescapes label values, and takes special values, timestamps and a trailing comma', () => {
    const text = [
      'a{path="C:\\\\pg",quote="say \\"hi\\"",line="one\\ntwo",} 1 1756548913000',
      'b +Inf',
      'b{x="y"} -Inf',
      'c{ spaced = "}" } 2.5e-3',
    ].join('\n');
    expect(parsePrometheusText(text)).toEqual([
      { name: 'a', labels: { path: 'C:\\pg', quote: 'say "hi"', line: 'one\ntwo' }, value: 1 },
      { name: 'b', labels: {}, value: Infinity },
      { name: 'b', labels: { x: 'y' }, value: -Infinity },
      { name: 'c', labels: { spaced: '}' }, value: 0.0025 },
    ]);
  });

  it('refuses what is not the text format, naming the line', () => {
    expect(() => parsePrometheusText('ok 1\n<html>')).toThrow(/Line 2 is not a Prometheus sample: <html>/);
    expect(() => parsePrometheusText('a{x="1" 2')).toThrow(/Line 1/);
    expect(() => parsePrometheusText('a{x=1} 2')).toThrow(/Line 1/);
    expect(() => parsePrometheusText('a one')).toThrow(/Line 1/);
    expect(() => parsePrometheusText('a')).toThrow(/Line 1/);
  });
});
