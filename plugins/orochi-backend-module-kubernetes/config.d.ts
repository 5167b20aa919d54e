export interface Config {
  orochi?: {
    /** The `kubernetes` driver, selected with `orochi.driver: kubernetes`: clusters as CloudNativePG resources. */
    kubernetes?: {
      /** A kubeconfig file; default: the in-cluster service account in a pod, else $KUBECONFIG or ~/.kube/config. */
      kubeconfig?: string;
      /** The kubeconfig context to use; default its current context. */
      context?: string;
      /**
       * Prefix of the namespace each owning team's clusters live in; default `orochi-`. Lowercase letters, digits
       * and `-`, at most 30 characters.
       */
      namespacePrefix?: string;
      /** The Orochi PostgreSQL image, tagged with the major version; default `ghcr.io/orochi-db/orochi-postgres`. */
      image?: string;
      /** PostgreSQL major versions the image comes in; default [17]. */
      versions?: number[];
      /** Whether the image has the `orochi` extension (preloaded and created in the application database); default true. */
      orochiExtension?: boolean;
      /** Storage class of the clusters' volumes; default the cluster's default class. */
      storageClass?: string;
      /** PgBouncer instances of a cluster's pooler; default 2. */
      poolerInstances?: number;
      /**
       * The service account the backend runs as. When set, each team namespace the driver creates gets a
       * RoleBinding `orochi-tenant` binding it to the ClusterRole `orochi-tenant` (deploy/kubernetes), the only
       * grant of secrets and CloudNativePG objects. Leave it out against an admin kubeconfig (development).
       */
      serviceAccount?: {
        name: string;
        namespace: string;
      };
      /**
       * The standalone connection proxy (`orochi-proxy`, deploy/kubernetes/orochi-proxy.yaml) that clients connect
       * through. With it a cluster's address is `<name>.<domain>:<port>` (TLS, routed by server name), it stays
       * while the cluster is suspended when idle, and a connection wakes the cluster.
       */
      connectionProxy?: {
        /** The proxy's wildcard DNS name without the `*.`, e.g. `db.example.com`. */
        domain: string;
        /** Default 5432. */
        port?: number;
      };
      /** Where backups go, through the Barman Cloud plugin; needed for clusters with backups enabled. */
      backups?: {
        /** An object store URL, e.g. `s3://orochi-backups/`; each cluster writes under its own path. */
        destinationPath: string;
        /** An S3-compatible endpoint, e.g. a MinIO service. */
        endpointURL?: string;
        /**
         * A Secret in each team namespace with `ACCESS_KEY_ID` and `ACCESS_SECRET_KEY`; default: credentials from
         * the IAM role of the pods.
         */
        credentialsSecret?: string;
      };
    };
  };
}
