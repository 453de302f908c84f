-- 0005_identity_issuer: identity = issuer + subject. A request's filer used to be stored as
-- "<auth method>:<subject>" without the OIDC issuer, so the same subject at another issuer
-- matched it. Such legacy filers cannot be attributed to an issuer: they are renamed
-- "legacy:<old value>", which no principal matches (the request stays readable by reviewers
-- and by its publisher identity, which was always stored with its issuer). Namespace-proof
-- filers ("dns:", "http:") and the local operator ("cli:") carry no issuer and are kept.
UPDATE server_requests SET created_by = 'legacy:' || created_by
 WHERE created_by NOT LIKE 'dns:%' AND created_by NOT LIKE 'http:%'
   AND created_by NOT LIKE 'cli:%' AND created_by NOT LIKE 'legacy:%';
