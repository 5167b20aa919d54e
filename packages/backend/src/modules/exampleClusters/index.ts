export { orochiModuleExampleClusters as default } from './module';
