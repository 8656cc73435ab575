-- Where each credential's secret may be sent. allowed_hosts is a JSON array of host patterns
-- (k8s.example.com:6443, *.example.com); it is NULL only for credentials made before this
-- migration, until meshenv derives their scope at start from the connections that use them.
ALTER TABLE credentials ADD COLUMN allowed_hosts TEXT;
ALTER TABLE credentials ADD COLUMN allow_http BOOLEAN NOT NULL DEFAULT FALSE;
