export interface Config {
  scaffolder?: {
    localPublish?: {
      /** Where publish:local writes published workspaces; default ./published-services of the backend. */
      directory?: string;
    };
  };
  orochi?: {
    /** Groups whose members may do everything with every cluster; default [group:default/platform-admins]. */
    platformAdmins?: string[];
    /**
     * Who may see clusters: `everyone` signed in (default), or only their `owners` (and platform admins).
     */
    clusterVisibility?: 'everyone' | 'owners';
  };
}
