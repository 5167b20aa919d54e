export { StatusBadge, statusColor } from './StatusBadge';
