-- Runs once, on an empty data volume (docker-entrypoint-initdb.d), as the postgres superuser.
-- The same roles, database and grants as libs/infrastructure/postgres/provision.ts makes for
-- the embedded default (see docs/tenancy.md):
--   tessera_owner  owns the database and the tessera schema; only `migrate` connects as it.
--   tessera_app    what the server connects as: owns nothing, NOSUPERUSER NOBYPASSRLS, so
--                  row-level security binds it. NOINHERIT, and never a member of the owner.
-- Passwords come from the container's environment (psql \getenv, psql >= 15); an unset one
-- leaves :'var' unexpanded, the statement fails and so does the container's first start.

\set ON_ERROR_STOP on
\getenv owner_password TESSERA_OWNER_PASSWORD
\getenv app_password TESSERA_APP_PASSWORD

CREATE ROLE tessera_owner WITH LOGIN PASSWORD :'owner_password'
  NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
CREATE ROLE tessera_app WITH LOGIN PASSWORD :'app_password'
  NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE NOINHERIT;

CREATE DATABASE tessera OWNER tessera_owner;
REVOKE ALL ON DATABASE tessera FROM PUBLIC;
-- No TEMPORARY: a temp table outlives the request on a pooled connection and shadows tables.
GRANT CONNECT ON DATABASE tessera TO tessera_app;
-- Migrations grant table privileges to this role when they run without DATABASE_URL.
ALTER DATABASE tessera SET tessera.app_role = 'tessera_app';

\connect tessera
REVOKE ALL ON SCHEMA public FROM PUBLIC;
CREATE SCHEMA IF NOT EXISTS tessera AUTHORIZATION tessera_owner;
GRANT USAGE ON SCHEMA tessera TO tessera_app;
