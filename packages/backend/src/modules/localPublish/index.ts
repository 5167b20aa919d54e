export { scaffolderModuleLocalPublish as default } from './module';
