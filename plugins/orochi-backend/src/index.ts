export { orochiPlugin as default } from './plugin';
