import { Text } from '@backstage/ui';
import { UsageMeter, UsagePeriod } from '@orochi/backstage-plugin-orochi-common';
import { METER_DISPLAY, meterText } from './format';

const WIDTH = 560;
const HEIGHT = 120;

/** One meter over the periods as bars, each with its value as a tooltip (an accessible list for screen readers). */
export const UsageChart = ({ meter, periods }: { meter: UsageMeter; periods: UsagePeriod[] }) => {
  const values = periods.map(p => METER_DISPLAY[meter].scale(p.usage[meter] ?? 0));
  const max = Math.max(...values, 1e-9);
  const barWidth = WIDTH / Math.max(periods.length, 1);
  return (
    <figure style={{ margin: 0 }} aria-label={`${METER_DISPLAY[meter].title} per day`}>
      <Text variant="body-small" color="secondary">
        {METER_DISPLAY[meter].title} per day ({METER_DISPLAY[meter].unit})
      </Text>
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} width="100%" height={HEIGHT} role="img" aria-hidden>
        {periods.map((period, i) => {
          const height = (values[i] / max) * (HEIGHT - 4);
          return (
            <rect
              key={period.start}
              x={i * barWidth + 1}
              y={HEIGHT - height}
              width={Math.max(barWidth - 2, 1)}
              height={height}
              fill="var(--bui-fg-link, #1f5493)"
            >
              <title>{`${period.start.slice(0, 10)}: ${meterText(meter, period.usage[meter])}`}</title>
            </rect>
          );
        })}
      </svg>
    </figure>
  );
};
