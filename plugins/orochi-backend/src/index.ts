import { createBackendFeatureLoader } from '@backstage/backend-plugin-api';
import { orochiModuleLocalDriver } from './drivers/local/module';
import { orochiPlugin } from './plugin';

export { orochiPlugin, orochiModuleLocalDriver };

/**
 * The Orochi backend plugin with its embedded `local` driver; other drivers are modules of their own.
 *
 * @public
 */
export default createBackendFeatureLoader({
  *loader() {
    yield orochiPlugin;
    yield orochiModuleLocalDriver;
  },
});
