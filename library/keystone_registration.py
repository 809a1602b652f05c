#!/usr/bin/python
"""Ansible module: a service's whole Keystone registration (service, endpoints, user, roles) in one run.

The shebang is the plain `python` one: Ansible then runs it with ansible_python_interpreter (the
venv with openstacksdk); a `python3` shebang would make it look for ansible_python3_interpreter.
"""

from __future__ import annotations

DOCUMENTATION = r"""
---
module: keystone_registration
short_description: Register an OpenStack service in Keystone in one run (service, endpoints, user, roles)
description:
  - Makes sure the catalog has the service, one endpoint per interface with the given URL in the
    region, the service user (password set on creation only), and the user's roles in its project;
    creates the project and the roles when they are missing.
  - The same as openstack.cloud.catalog_service, endpoint (one per interface), identity_user
    (update_password on_create) and role_assignment (one per role) in a row, but one module run
    with one connection and token instead of seven, and a listing per kind (services, endpoints,
    projects, roles, users, the user's role assignments) instead of a lookup per object: a re-run
    that finds everything in place makes about eight reads and changes nothing.
  - Supports check mode. Removing a registration is not its job.
options:
  name:
    description: Service name in the catalog (e.g. nova).
    type: str
    required: true
  service_type:
    description: Service type (e.g. compute).
    type: str
    required: true
  description:
    description: Service description.
    type: str
    default: ""
  endpoints:
    description: Endpoint URL per interface (public, internal, admin).
    type: dict
    required: true
  region:
    description: Region of the endpoints.
    type: str
    required: true
  user:
    description: The service's user.
    type: str
    required: true
  password:
    description: The user's password, set when the user is created (never updated).
    type: str
    required: true
  domain:
    description: Domain of the user and project.
    type: str
    default: default
  project:
    description: The project the user gets its roles in, also its default project (created when missing).
    type: str
    default: service
  roles:
    description: Roles the user gets in the project (each created when missing).
    type: list
    elements: str
    default: [admin, service]
extends_documentation_fragment:
  - openstack.cloud.openstack
author: stackha
"""

EXAMPLES = r"""
- name: Register nova
  keystone_registration:
    auth: "{{ admin_auth }}"
    region_name: RegionOne
    interface: internal
    name: nova
    service_type: compute
    description: OpenStack Compute
    endpoints:
      public: http://192.0.2.10:8774/v2.1
      internal: http://192.0.2.10:8774/v2.1
      admin: http://192.0.2.10:8774/v2.1
    region: RegionOne
    user: nova
    password: "{{ nova_service_password }}"
  no_log: true
"""

RETURN = r"""
created:
  description: What this run created or updated, e.g. ["service", "endpoint public", "role admin"].
  type: list
  elements: str
  returned: always
"""

from typing import Any

from ansible_collections.openstack.cloud.plugins.module_utils.openstack import OpenStackModule

INTERFACES = ("public", "internal", "admin")
PROJECT_DESCRIPTION = "OpenStack service users"


def endpoint_plan(existing: dict[str, tuple[str, str]], wanted: dict[str, str]) -> tuple[list[str], dict[str, str]]:
    """Interfaces to create, and endpoint ids to point at a new URL.

    existing maps an interface to (endpoint id, url) for this service and region; wanted maps an
    interface to its URL.
    """
    create = [i for i in wanted if i not in existing]
    update = {existing[i][0]: url for i, url in wanted.items() if i in existing and existing[i][1] != url}
    return create, update


def direct_role_ids(assignments: Any) -> set[str]:
    """Ids of the roles assigned on the project itself (not inherited down to its subprojects)."""
    return {a.role["id"] for a in assignments if "OS-INHERIT:inherited_to" not in (a.scope or {})}


def missing_roles(roles: dict[str, Any], assigned: set[str]) -> list[str]:
    """Names of the wanted roles not among the assigned role ids (a role still to create is missing)."""
    return [name for name, role in roles.items() if role is None or role.id not in assigned]


class KeystoneRegistration(OpenStackModule):  # type: ignore[misc]
    argument_spec: dict[str, Any] = dict(  # noqa: RUF012
        name=dict(required=True),
        service_type=dict(required=True),
        description=dict(default=""),
        endpoints=dict(type="dict", required=True),
        region=dict(required=True),
        user=dict(required=True),
        password=dict(required=True, no_log=True),
        domain=dict(default="default"),
        project=dict(default="service"),
        roles=dict(type="list", elements="str", default=["admin", "service"]),
    )
    module_kwargs: dict[str, Any] = dict(supports_check_mode=True)  # noqa: RUF012

    def _fail_bad_input(self) -> None:
        bad = sorted(set(self.params["endpoints"]) - set(INTERFACES))
        if bad:
            self.fail_json(msg=f"endpoints: unknown interface(s) {bad}; expected some of {list(INTERFACES)}")

    def run(self) -> None:
        self._fail_bad_input()
        done: list[str] = []
        service = self._service(done)
        self._endpoints(service, done)
        self._user_and_roles(done)
        self.exit_json(changed=bool(done), created=done)

    def _service(self, done: list[str]) -> Any:
        p, ident = self.params, self.conn.identity
        services = [s for s in ident.services(type=p["service_type"]) if s.name == p["name"]]
        if len(services) > 1:
            self.fail_json(msg=f"more than one {p['service_type']} service named {p['name']}")
        if not services:
            done.append("service")
            if self.ansible.check_mode:
                return None
            return ident.create_service(
                name=p["name"], type=p["service_type"], description=p["description"], is_enabled=True
            )
        service = services[0]
        if service.description != p["description"]:
            done.append("service description")
            if not self.ansible.check_mode:
                ident.update_service(service, description=p["description"])
        return service

    def _endpoints(self, service: Any, done: list[str]) -> None:
        p, ident = self.params, self.conn.identity
        existing: dict[str, tuple[str, str]] = {}
        if service is not None:
            for ep in ident.endpoints(service_id=service.id, region_id=p["region"]):
                existing.setdefault(ep.interface, (ep.id, ep.url))
        create, update = endpoint_plan(existing, p["endpoints"])
        done += [f"endpoint {i}" for i in create] + [f"endpoint url {i}" for i in update]
        if self.ansible.check_mode:
            return
        for interface in create:
            ident.create_endpoint(
                service_id=service.id,
                interface=interface,
                url=p["endpoints"][interface],
                region_id=p["region"],
                is_enabled=True,
            )
        for endpoint_id, url in update.items():
            ident.update_endpoint(endpoint_id, url=url)

    def _project(self, domain_id: str, done: list[str]) -> Any:
        p, ident = self.params, self.conn.identity
        projects = list(ident.projects(domain_id=domain_id, name=p["project"]))
        if projects:
            return projects[0]
        done.append("project")
        if self.ansible.check_mode:
            return None
        return ident.create_project(
            name=p["project"], domain_id=domain_id, description=PROJECT_DESCRIPTION, is_enabled=True
        )

    def _roles(self, done: list[str]) -> dict[str, Any]:
        """The wanted roles by name (None for one that check mode would create); one listing."""
        p, ident = self.params, self.conn.identity
        existing = {r.name: r for r in ident.roles()}
        roles: dict[str, Any] = {}
        for name in p["roles"]:
            if name not in existing:
                done.append(f"role {name} created")
                existing[name] = None if self.ansible.check_mode else ident.create_role(name=name)
            roles[name] = existing[name]
        return roles

    def _user_and_roles(self, done: list[str]) -> None:
        p, ident = self.params, self.conn.identity
        domain = ident.find_domain(p["domain"], ignore_missing=False)
        project = self._project(domain.id, done)
        roles = self._roles(done)
        users = list(ident.users(domain_id=domain.id, name=p["user"]))
        user = users[0] if users else None
        if user is None:
            done.append("user")
            if not self.ansible.check_mode:
                user = ident.create_user(
                    name=p["user"],
                    password=p["password"],
                    domain_id=domain.id,
                    default_project_id=project.id,
                    is_enabled=True,
                )
        assigned: set[str] = set()
        if user is not None and project is not None:
            assigned = direct_role_ids(ident.role_assignments(user_id=user.id, scope_project_id=project.id))
        for name in missing_roles(roles, assigned):
            done.append(f"role {name}")
            if not self.ansible.check_mode:
                ident.assign_project_role_to_user(project, user, roles[name])


def main() -> None:
    KeystoneRegistration()()


if __name__ == "__main__":
    main()
