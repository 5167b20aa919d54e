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
    /** Clusters created through the API the first time the portal starts with a new data directory. */
    examples?: {
      /** Records that the examples were created; while it exists, nothing is created. */
      stateFile: string;
      /** Create requests, as POST /api/orochi/clusters takes them. */
      clusters?: Array<{
        name: string;
        owner: string;
        system?: string;
        size?: string;
        plan?: string;
        instances?: number;
        storageGb?: number;
      }>;
    };
  };
}
