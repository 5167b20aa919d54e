export { permissionModuleOrochiPolicy as default } from './module';
