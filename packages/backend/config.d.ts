export interface Config {
  orochi?: {
    /** Groups whose members may do everything with every cluster; default [group:default/platform-admins]. */
    platformAdmins?: string[];
    /**
     * Who may see clusters: `everyone` signed in (default), or only their `owners` (and platform admins).
     */
    clusterVisibility?: 'everyone' | 'owners';
  };
}
