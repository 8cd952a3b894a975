#!/usr/bin/env python3
"""Conformance with Microsoft's own Python clients: msal, azure-identity and msgraph-sdk against a
running mailfix simulator, over HTTPS with the simulator's CA.

Usage: check.py INFO_FILE   (the JSON the simulator writes with --info-file)

Each check prints PASS or FAIL on its own line; the last line is "N passed, M failed" and the exit
status is 1 when any check failed. Expected numbers come from the info file, never from here.

How the clients are pointed at a local simulator (docs/protocol.md §5.5): the authority must be HTTPS;
instance discovery is switched off (it would call login.microsoftonline.com); MSAL ignores `verify=`
when REQUESTS_CA_BUNDLE is set, so it gets a requests.Session with trust_env=False and verify=CA;
azure-identity gets connection_verify=CA; msgraph-sdk gets an httpx client that trusts the CA and
base URL https://127.0.0.1:PORT/v1.0.
"""

import asyncio
import base64
import hashlib
import json
import ssl
import sys
import time
import traceback
from urllib.parse import parse_qs

import msal
import requests

GRAPH = "https://graph.microsoft.com/.default"
EXCHANGE = "https://outlook.office365.com/.default"
GROUP = "All Staff"
PAGE_SIZE = 7

CHECKS = []


def check(name):
    def register(fn):
        CHECKS.append((name, fn))
        return fn

    return register


class CheckFailed(Exception):
    pass


def expect(condition, message):
    if not condition:
        raise CheckFailed(message)


def jwt_part(token, index):
    part = token.split(".")[index]
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def session(info, seen=None):
    """A requests session that trusts only the simulator's CA and ignores REQUESTS_CA_BUNDLE."""
    s = requests.Session()
    s.trust_env = False
    s.verify = info["ca_file"]
    if seen is not None:
        s.hooks["response"].append(lambda r, *a, **k: seen.append(r.request))
    return s


def authority(info, tenant=None):
    return f"{info['login_url']}/{tenant or info['tenant_id']}"


def expect_token(result):
    expect("access_token" in result, f"no token: {result.get('error')}: {result.get('error_description')}")
    return result["access_token"]


def expect_app_token(token, info, client_id, audience, role):
    claims = jwt_part(token, 1)
    expect(claims.get("aud") == audience, f"aud {claims.get('aud')!r}, expected {audience!r}")
    expect(claims.get("tid") == info["tenant_id"], f"tid {claims.get('tid')!r}")
    expect(claims.get("appid") == client_id, f"appid {claims.get('appid')!r}")
    expect(role in claims.get("roles", []), f"roles {claims.get('roles')} lack {role}")
    expect(claims["exp"] > time.time(), "token already expired")


def confidential(info, client_id, credential, seen=None, tenant=None):
    return msal.ConfidentialClientApplication(
        client_id,
        client_credential=credential,
        authority=authority(info, tenant),
        instance_discovery=False,
        http_client=session(info, seen),
    )


@check("msal: client credentials with secret (Graph and Exchange)")
def msal_secret(info):
    app = confidential(info, info["client_id"], info["client_secret"])
    graph = expect_token(app.acquire_token_for_client(scopes=[GRAPH]))
    expect_app_token(graph, info, info["client_id"], "https://graph.microsoft.com", "User.Read.All")
    exo = expect_token(app.acquire_token_for_client(scopes=[EXCHANGE]))
    expect_app_token(exo, info, info["client_id"], "https://outlook.office365.com", "Exchange.ManageAsApp")
    return "tokens for both resources"


@check("msal: authority by tenant domain")
def msal_domain(info):
    app = confidential(info, info["client_id"], info["client_secret"], tenant=info["tenant_domain"])
    token = expect_token(app.acquire_token_for_client(scopes=[GRAPH]))
    expect_app_token(token, info, info["client_id"], "https://graph.microsoft.com", "User.Read.All")
    return info["tenant_domain"]


@check("msal: wrong secret is AADSTS7000215 invalid_client")
def msal_wrong_secret(info):
    app = confidential(info, info["client_id"], "not-the-secret")
    result = app.acquire_token_for_client(scopes=[GRAPH])
    expect(result.get("error") == "invalid_client", f"error {result.get('error')!r}")
    expect(7000215 in result.get("error_codes", []), f"error_codes {result.get('error_codes')}")
    expect("not-the-secret" not in json.dumps(result), "the secret is echoed")
    return result["error_description"].splitlines()[0][:60] + "..."


@check("msal: limited app's token lacks GroupMember.Read.All")
def msal_limited(info):
    expect(info.get("limited_client_id"), "info file has no limited_client_id")
    app = confidential(info, info["limited_client_id"], info["limited_client_secret"])
    claims = jwt_part(expect_token(app.acquire_token_for_client(scopes=[GRAPH])), 1)
    expect("GroupMember.Read.All" not in claims.get("roles", []), f"roles {claims.get('roles')}")
    return f"roles {claims.get('roles', [])}"


def certificate(info):
    expect(info.get("cert_client_id"), "info file has no cert_client_id")
    with open(info["cert_pem"]) as f:
        cert = f.read()
    with open(info["key_pem"]) as f:
        key = f.read()
    return cert, key


def sent_assertion_header(requests_seen):
    for request in requests_seen:
        form = parse_qs(request.body or "") if isinstance(request.body, str) else {}
        if "client_assertion" in form:
            return jwt_part(form["client_assertion"][0], 0)
    raise CheckFailed("no client assertion was sent")


def certificate_token(info, credential, alg, thumbprint_header):
    seen = []
    app = confidential(info, info["cert_client_id"], credential, seen)
    token = expect_token(app.acquire_token_for_client(scopes=[GRAPH]))
    expect_app_token(token, info, info["cert_client_id"], "https://graph.microsoft.com", "User.Read.All")
    header = sent_assertion_header(seen)
    expect(header.get("alg") == alg and thumbprint_header in header, f"assertion header {header}")
    return f"{alg} assertion with {thumbprint_header} accepted"


@check("msal: certificate, PS256 with x5t#S256")
def msal_cert_ps256(info):
    cert, key = certificate(info)
    credential = {"private_key": key, "public_certificate": cert}
    return certificate_token(info, credential, "PS256", "x5t#S256")


@check("msal: certificate, RS256 with x5t (SHA-1 thumbprint)")
def msal_cert_rs256(info):
    cert, key = certificate(info)
    sha1 = hashlib.sha1(ssl.PEM_cert_to_DER_cert(cert)).hexdigest()
    credential = {"private_key": key, "thumbprint": sha1}
    return certificate_token(info, credential, "RS256", "x5t")


def azure_options(info):
    """azure-identity (sync and aio): the simulator as authority host, trusted through its CA."""
    return {
        "authority": info["login_url"],
        "disable_instance_discovery": True,
        "connection_verify": info["ca_file"],
    }


@check("azure-identity: ClientSecretCredential")
def azure_identity_secret(info):
    from azure.identity import ClientSecretCredential

    credential = ClientSecretCredential(
        info["tenant_id"], info["client_id"], info["client_secret"], **azure_options(info)
    )
    token = credential.get_token(GRAPH)
    expect(token.expires_on > time.time(), "token already expired")
    expect_app_token(token.token, info, info["client_id"], "https://graph.microsoft.com", "User.Read.All")
    return f"expires in {int(token.expires_on - time.time())} s"


@check("azure-identity: CertificateCredential")
def azure_identity_certificate(info):
    from azure.identity import CertificateCredential

    cert, key = certificate(info)
    credential = CertificateCredential(
        info["tenant_id"],
        info["cert_client_id"],
        certificate_data=(key + cert).encode(),
        **azure_options(info),
    )
    token = credential.get_token(GRAPH)
    expect_app_token(token.token, info, info["cert_client_id"], "https://graph.microsoft.com", "User.Read.All")
    return "token issued"


async def graph_client(info):
    import httpx
    from azure.identity.aio import ClientSecretCredential
    from kiota_authentication_azure.azure_identity_authentication_provider import (
        AzureIdentityAuthenticationProvider,
    )
    from msgraph import GraphRequestAdapter, GraphServiceClient
    from msgraph_core import GraphClientFactory

    credential = ClientSecretCredential(
        info["tenant_id"], info["client_id"], info["client_secret"], **azure_options(info)
    )
    # Empty allowed_hosts = any host (msgraph-core's default list holds only Microsoft's clouds).
    auth = AzureIdentityAuthenticationProvider(credential, scopes=[GRAPH], allowed_hosts=[])
    tls = ssl.create_default_context(cafile=info["ca_file"])
    http = httpx.AsyncClient(verify=tls, trust_env=False, base_url=f"{info['graph_url']}/v1.0")
    http = GraphClientFactory.create_with_default_middleware(client=http)
    adapter = GraphRequestAdapter(auth, client=http)
    adapter.base_url = f"{info['graph_url']}/v1.0"
    return GraphServiceClient(request_adapter=adapter), credential, http


async def list_all_staff(info):
    from kiota_abstractions.base_request_configuration import RequestConfiguration
    from msgraph.generated.groups.groups_request_builder import GroupsRequestBuilder
    from msgraph.generated.groups.item.transitive_members.graph_user.graph_user_request_builder import (
        GraphUserRequestBuilder,
    )

    expected = info.get("group_user_counts", {}).get(GROUP)
    expect(expected is not None, f"info file has no group_user_counts[{GROUP!r}]")
    client, credential, http = await graph_client(info)
    try:
        query = GroupsRequestBuilder.GroupsRequestBuilderGetQueryParameters(
            filter=f"displayName eq '{GROUP}'", select=["id", "displayName"]
        )
        groups = await client.groups.get(RequestConfiguration(query_parameters=query))
        ids = [g.id for g in groups.value]
        expect(ids == [info["groups"][GROUP]], f"groups named {GROUP!r}: {ids}")
        members = client.groups.by_group_id(ids[0]).transitive_members.graph_user
        params = GraphUserRequestBuilder.GraphUserRequestBuilderGetQueryParameters(
            top=PAGE_SIZE, count=True, select=["id", "userPrincipalName", "mail"]
        )
        config = RequestConfiguration(query_parameters=params)
        config.headers.add("ConsistencyLevel", "eventual")
        page = await members.get(config)
        users, pages = list(page.value), 1
        while page.odata_next_link:
            next_config = RequestConfiguration()
            next_config.headers.add("ConsistencyLevel", "eventual")
            page = await members.with_url(page.odata_next_link).get(next_config)
            users.extend(page.value)
            pages += 1
        ids = {u.id for u in users}
        expect(len(ids) == len(users), f"{len(users) - len(ids)} users listed twice")
        expect(len(users) == expected, f"{len(users)} users, the scenario has {expected}")
        expect(pages > 1 or expected <= PAGE_SIZE, "paging was not exercised")
        one = await client.users.by_user_id(users[0].id).get()
        expect(one.id == users[0].id, f"user {users[0].id} came back as {one.id}")
        expect(one.user_principal_name == users[0].user_principal_name, "userPrincipalName differs")
        return f"{len(users)} users in {pages} pages of {PAGE_SIZE}; got {one.user_principal_name}"
    finally:
        await credential.close()
        await http.aclose()


@check("msgraph-sdk: transitive user members of 'All Staff', paged, and one user")
def msgraph_all_staff(info):
    return asyncio.run(list_all_staff(info))


def main(argv):
    if len(argv) != 2:
        print(__doc__.splitlines()[3], file=sys.stderr)
        return 2
    with open(argv[1]) as f:
        info = json.load(f)
    expect_https = info["login_url"].startswith("https://")
    if not expect_https or not info.get("ca_file"):
        print("the simulator must serve HTTPS with a CA for this check", file=sys.stderr)
        return 2
    passed = failed = 0
    for name, fn in CHECKS:
        try:
            detail = fn(info)
            print(f"PASS  {name}: {detail}", flush=True)
            passed += 1
        except CheckFailed as e:
            print(f"FAIL  {name}: {e}", flush=True)
            failed += 1
        except Exception as e:  # a client library error is a failed check, not a crash
            print(f"FAIL  {name}: {type(e).__name__}: {e}", flush=True)
            traceback.print_exc(limit=3, file=sys.stdout)
            failed += 1
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
