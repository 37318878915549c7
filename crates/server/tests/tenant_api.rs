//! Tenants over HTTP: creation, directory and roles, checks with their
//! explanations, the balance and statement, the contact quota, approvals,
//! and the isolation of every tenant route.

mod common;

use common::{assert_error, Answer, Server};
use serde_json::{json, Value};

/// Creates acme (creator zhang) and globex (creator li) as the operator.
fn setup(s: &Server) {
    let a = s.post(
        "/v1/tenants",
        "operator",
        json!({
            "id": "acme", "name": "Acme", "creator": "zhang", "industry": "软件",
            "departments": [
                {"id": "sales", "name": "销售部", "parent": "root"},
                {"id": "rd", "name": "研发部", "parent": "root"},
                {"id": "east", "name": "华东", "parent": "sales"}
            ],
            "members": [
                {"id": "zhang", "name": "张", "departments": ["root"]},
                {"id": "wang", "name": "王", "departments": ["sales"]},
                {"id": "liu", "name": "刘", "departments": ["rd"]},
                {"id": "chen", "name": "陈", "departments": ["east"], "head_of": ["east"]}
            ]
        }),
    );
    assert_eq!(a.status, 201, "{}", a.text);
    assert_eq!(a.json["creator"], "zhang");
    let g = s.post(
        "/v1/tenants",
        "operator",
        json!({"id": "globex", "name": "Globex", "creator": "li",
            "members": [{"id": "li", "name": "李", "departments": ["root"]}]}),
    );
    assert_eq!(g.status, 201, "{}", g.text);
}

/// Makes wang a scoped admin of the sales subtree (as tenant-a, the creator).
fn scope_wang(s: &Server) {
    let a = s.post(
        "/v1/tenants/acme/scoped-admins",
        "tenant-a",
        json!({"member": "wang"}),
    );
    assert_eq!(a.status, 200, "{}", a.text);
    let g = s.post(
        "/v1/tenants/acme/grants",
        "tenant-a",
        json!({"grantee": "wang", "rights": {"directory": [{"subtree": "sales"}]}}),
    );
    assert_eq!(g.status, 200, "{}", g.text);
}

/// A tenant-admin key for `member` of `tenant`, created by the operator.
fn key_for(s: &Server, tenant: &str, member: &str) -> String {
    let k = s.post(
        "/v1/admin/keys",
        "operator",
        json!({"role": "tenant-admin", "owner": tenant, "member": member, "label": member}),
    );
    assert_eq!(k.status, 201, "{}", k.text);
    k.json["token"].as_str().unwrap().to_string()
}

fn send_with_key(s: &Server, path: &str, key: &str, idem: &str, body: Value) -> Answer {
    let url = format!("{}{}", s.base, path);
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let mut resp = agent
        .post(&url)
        .header("authorization", &format!("Bearer {}", s.key(key)))
        .header("content-type", "application/json")
        .header("idempotency-key", idem)
        .send(body.to_string().as_bytes())
        .unwrap();
    let status = resp.status().as_u16();
    let text = resp.body_mut().read_to_string().unwrap_or_default();
    Answer {
        status,
        json: serde_json::from_str(&text).unwrap_or(Value::Null),
        text,
        headers: Default::default(),
    }
}

/// How many tenant events (`tenant.*`) the log holds.
fn tenant_events(s: &Server) -> usize {
    let j = s.state.tenants.lock().unwrap();
    let mut n = 0;
    j.log()
        .for_each_since(0, |ev| {
            if ev.kind.starts_with("tenant.") {
                n += 1;
            }
            Ok(())
        })
        .unwrap();
    n
}

fn payment_template() -> Value {
    json!({
        "id": "payment", "name": "付款申请",
        "fields": [
            {"name": "amount", "kind": "number", "required": true},
            {"name": "payee", "kind": "member", "required": true}
        ],
        "nodes": [
            {"assignee": {"kind": "members", "members": ["wang"]}},
            {"role": "handler", "assignee": {"kind": "member-field", "field": "payee"}}
        ],
        "settings": {"handler-comment-required": true, "view": "participants-only"}
    })
}

#[test]
fn operator_creates_tenants_and_each_admin_sees_its_own() {
    let s = Server::start();
    setup(&s);
    let again = s.post(
        "/v1/tenants",
        "operator",
        json!({"id": "acme", "name": "Acme", "creator": "zhang"}),
    );
    assert_error(&again, 409, "refused");

    let all = s.get("/v1/tenants", "operator");
    assert_eq!(all.status, 200);
    assert_eq!(all.json.as_array().unwrap().len(), 2);
    let own = s.get("/v1/tenants", "tenant-a");
    assert_eq!(own.json.as_array().unwrap().len(), 1);
    assert_eq!(own.json[0]["id"], "acme");
    assert_eq!(s.get("/v1/tenants", "tenant-b").json[0]["id"], "globex");

    let one = s.get("/v1/tenants/acme", "tenant-a");
    assert_eq!(one.status, 200, "{}", one.text);
    assert_eq!(one.json["members"], 4);
    assert_eq!(one.json["departments"], 4);
    assert_eq!(one.json["industry"], "软件");
    assert_error(&s.get("/v1/tenants/acme", "tenant-b"), 404, "not-found");
    assert_error(&s.get("/v1/tenants/nope", "tenant-a"), 404, "not-found");
    assert_error(&s.get("/v1/tenants/nope", "operator"), 404, "not-found");
    // Another tenant's id and an unknown one read the same.
    assert_eq!(
        s.get("/v1/tenants/globex", "tenant-a").json["error"]["code"],
        s.get("/v1/tenants/nope", "tenant-a").json["error"]["code"]
    );

    // Only operators create tenants.
    assert_error(
        &s.post(
            "/v1/tenants",
            "tenant-a",
            json!({"id": "x", "name": "X", "creator": "zhang"}),
        ),
        403,
        "forbidden",
    );

    // wecom-admin/roles.creator: one account is creator of at most 5 tenants.
    for i in 0..4 {
        let a = s.post(
            "/v1/tenants",
            "operator",
            json!({"id": format!("z{i}"), "name": "Z", "creator": "zhang"}),
        );
        assert_eq!(a.status, 201, "{}", a.text);
    }
    let sixth = s.post(
        "/v1/tenants",
        "operator",
        json!({"id": "z5", "name": "Z", "creator": "zhang"}),
    );
    assert_error(&sixth, 409, "refused");
    assert!(sixth.json["error"]["message"]
        .as_str()
        .unwrap()
        .contains("wecom-admin/roles.creator"));

    // The OpenAPI document lists the tenant routes.
    let doc = s.get("/v1/openapi.json", "");
    for p in [
        "/v1/tenants",
        "/v1/tenants/{id}/checks",
        "/v1/tenants/{id}/statement",
        "/v1/tenants/{id}/books",
        "/v1/tenants/{id}/commands",
        "/v1/tenants/{id}/approvals/{form}/steps",
    ] {
        assert!(doc.json["paths"][p].is_object(), "{p} in the document");
    }
}

#[test]
fn tenant_admin_manages_the_directory_and_roles() {
    let s = Server::start();
    setup(&s);
    let d = s.post(
        "/v1/tenants/acme/departments",
        "tenant-a",
        json!({"id": "qa", "name": "测试部", "parent": "rd"}),
    );
    assert_eq!(d.status, 200, "{}", d.text);
    assert_eq!(d.json["command"], "add-department");
    assert!(d.json["seq"].as_u64().is_some());
    let m = s.post(
        "/v1/tenants/acme/members",
        "tenant-a",
        json!({"id": "zhao", "name": "赵", "departments": ["qa"]}),
    );
    assert_eq!(m.status, 200, "{}", m.text);
    let mv = s.call(
        "PATCH",
        "/v1/tenants/acme/departments/qa",
        "tenant-a",
        Some(&json!({"parent": "sales"})),
    );
    assert_eq!(mv.status, 200, "{}", mv.text);
    let dir = s.get("/v1/tenants/acme/directory", "tenant-a");
    assert_eq!(dir.status, 200);
    let qa = dir.json["departments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["id"] == "qa")
        .unwrap();
    assert_eq!(qa["parent"], "sales");
    assert_eq!(qa["path"], "Acme/销售部/测试部");
    let east = dir.json["departments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["id"] == "east")
        .unwrap();
    assert_eq!(east["heads"], json!(["chen"]));
    assert!(dir.json["members"]
        .as_array()
        .unwrap()
        .iter()
        .any(|m| m["id"] == "zhao" && m["departments"] == json!(["qa"])));

    // A department with a member cannot go (the engine refuses it and names
    // the field); an unknown member is a 404.
    let full = s.call(
        "DELETE",
        "/v1/tenants/acme/departments/qa",
        "tenant-a",
        None,
    );
    assert_error(&full, 409, "refused");
    assert_eq!(full.json["error"]["field"], "department");
    assert_error(
        &s.call(
            "DELETE",
            "/v1/tenants/acme/members/nobody",
            "tenant-a",
            None,
        ),
        404,
        "not-found",
    );
    let rm = s.call("DELETE", "/v1/tenants/acme/members/zhao", "tenant-a", None);
    assert_eq!(rm.status, 200, "{}", rm.text);
    let rd = s.call(
        "DELETE",
        "/v1/tenants/acme/departments/qa",
        "tenant-a",
        None,
    );
    assert_eq!(rd.status, 200, "{}", rd.text);

    // Roles: a super admin in and out, a scoped admin with a grant.
    let sa = s.post(
        "/v1/tenants/acme/super-admins",
        "tenant-a",
        json!({"id": "liu", "kind": "internal"}),
    );
    assert_eq!(sa.status, 200, "{}", sa.text);
    scope_wang(&s);
    let roles = s.get("/v1/tenants/acme/roles", "tenant-a");
    assert_eq!(roles.status, 200);
    assert_eq!(roles.json["creator"], "zhang");
    assert_eq!(roles.json["super_admins"][0]["id"], "liu");
    assert_eq!(roles.json["scoped_admins"][0]["member"], "wang");
    assert_eq!(
        roles.json["scoped_admins"][0]["rights"]["directory"],
        json!([{"subtree": "sales"}])
    );
    // Creator and super admins belong only to the super admin group (roles.admin-group.super).
    let dup = s.post(
        "/v1/tenants/acme/scoped-admins",
        "tenant-a",
        json!({"member": "liu"}),
    );
    assert!(dup.status == 409 || dup.status == 403, "{}", dup.text);
    let out = s.call(
        "DELETE",
        "/v1/tenants/acme/super-admins/liu",
        "tenant-a",
        None,
    );
    assert_eq!(out.status, 200, "{}", out.text);
    let rv = s.post(
        "/v1/tenants/acme/revocations",
        "tenant-a",
        json!({"grantee": "wang", "rights": {"directory": [{"subtree": "sales"}]}}),
    );
    assert_eq!(rv.status, 200, "{}", rv.text);

    // The generic command route takes any file::Command, as the key's member.
    let rule = s.post(
        "/v1/tenants/acme/commands",
        "tenant-a",
        json!({"command": "put-spend-rule",
            "rule": {"id": "growth", "members": ["wang"], "items": ["获客助手"]}}),
    );
    assert_eq!(rule.status, 200, "{}", rule.text);
    assert_eq!(rule.json["command"], "put-spend-rule");
    assert_eq!(
        s.get("/v1/tenants/acme/roles", "tenant-a").json["spend_rules"][0]["id"],
        "growth"
    );
    let cat = s.post(
        "/v1/tenants/acme/commands",
        "tenant-a",
        json!({"command": "select-category", "category": "it-internet.software"}),
    );
    assert_eq!(cat.status, 200, "{}", cat.text);
    // The platform's review is the operator's.
    assert_error(
        &s.post(
            "/v1/tenants/acme/commands",
            "tenant-a",
            json!({"command": "approve-category"}),
        ),
        403,
        "forbidden",
    );
    let ok = s.post(
        "/v1/tenants/acme/commands",
        "operator",
        json!({"command": "approve-category"}),
    );
    assert_eq!(ok.status, 200, "{}", ok.text);
    assert_eq!(
        s.get("/v1/tenants/acme", "tenant-a").json["category"]["status"],
        "approved"
    );
    // Tenants are created with POST /v1/tenants, not as an import here.
    let import = s.post(
        "/v1/tenants/acme/commands",
        "operator",
        json!({"command": "import", "file": {}}),
    );
    assert_error(&import, 422, "bad-field");
    assert_eq!(import.json["error"]["field"], "command");

    // The creator transfers its role (roles.creator.transfer); the old creator then may not.
    let tr = s.post(
        "/v1/tenants/globex/creator/transfer",
        "tenant-b",
        json!({"to": "zhou"}),
    );
    assert_eq!(tr.status, 200, "{}", tr.text);
    assert_eq!(
        s.get("/v1/tenants/globex", "tenant-b").json["creator"],
        "zhou"
    );
    let again = s.post(
        "/v1/tenants/globex/creator/transfer",
        "tenant-b",
        json!({"to": "li"}),
    );
    assert_error(&again, 403, "denied");
    assert!(again.json["error"]["message"]
        .as_str()
        .unwrap()
        .contains("wecom-admin/roles.creator"));
}

#[test]
fn checks_explain_themselves_and_run_as_the_keys_member() {
    let s = Server::start();
    setup(&s);
    scope_wang(&s);
    let a = s.post(
        "/v1/tenants/acme/checks",
        "tenant-a",
        json!({"action": "manage-directory", "resource": "dept:rd"}),
    );
    assert_eq!(a.status, 200, "{}", a.text);
    assert_eq!(a.json["actor"], "zhang");
    assert_eq!(a.json["allowed"], true);
    assert_eq!(a.json["by"]["role"], "creator");
    assert!(a.json["rule"].as_str().unwrap().starts_with("wecom-admin/"));
    assert!(!a.json["message"].as_str().unwrap().is_empty());
    assert!(!a.json["message_en"].as_str().unwrap().is_empty());

    // The operator may ask about anyone: wang manages sales, not rd.
    let w = s.post(
        "/v1/tenants/acme/checks",
        "operator",
        json!({"actor": "wang", "action": "manage-directory", "resource": "dept:rd"}),
    );
    assert_eq!(w.status, 200, "{}", w.text);
    assert_eq!(w.json["allowed"], false);
    let failed = w.json["failed"].as_array().unwrap();
    assert!(!failed.is_empty());
    for f in failed {
        assert!(f["rule"].as_str().unwrap().starts_with("wecom-admin/"));
        assert!(!f["message"].as_str().unwrap().is_empty());
        assert!(!f["message_en"].as_str().unwrap().is_empty());
    }
    let ok = s.post(
        "/v1/tenants/acme/checks",
        "operator",
        json!({"actor": "wang", "action": "manage-directory", "resource": "dept:east"}),
    );
    assert_eq!(ok.json["allowed"], true, "{}", ok.text);
    assert_eq!(ok.json["by"]["role"], "grant");

    // A tenant-admin key asks as its own member only.
    assert_error(
        &s.post(
            "/v1/tenants/acme/checks",
            "tenant-a",
            json!({"actor": "wang", "action": "manage-directory", "resource": "dept:rd"}),
        ),
        403,
        "forbidden",
    );
    // Without an actor the operator asks about the creator.
    let none = s.post(
        "/v1/tenants/acme/checks",
        "operator",
        json!({"action": "manage-balance"}),
    );
    assert_eq!(none.status, 200, "{}", none.text);
    assert_eq!(none.json["actor"], "zhang");
    assert_eq!(none.json["rule"], "wecom-admin/recharge.entry");
    let bad = s.post(
        "/v1/tenants/acme/checks",
        "tenant-a",
        json!({"action": "fly"}),
    );
    assert_error(&bad, 422, "bad-field");
    assert_eq!(bad.json["error"]["field"], "action");
    let res = s.post(
        "/v1/tenants/acme/checks",
        "tenant-a",
        json!({"action": "manage-directory", "resource": "planet:x"}),
    );
    assert_error(&res, 400, "invalid");
    assert_eq!(res.json["error"]["field"], "resource");
    assert_error(
        &s.post(
            "/v1/tenants/acme/checks",
            "tenant-a",
            json!({"action": "manage-directory", "resource": "dept:nowhere"}),
        ),
        404,
        "not-found",
    );
    // A check is a read: nothing is stored.
    let before = tenant_events(&s);
    s.post(
        "/v1/tenants/acme/checks",
        "tenant-a",
        json!({"action": "manage-balance"}),
    );
    assert_eq!(tenant_events(&s), before);
}

#[test]
fn a_scoped_admins_key_is_limited_by_its_tenant_role() {
    let s = Server::start();
    setup(&s);
    scope_wang(&s);
    let wang = key_for(&s, "acme", "wang");

    let inside = s.post(
        "/v1/tenants/acme/members",
        &wang,
        json!({"id": "sun", "name": "孙", "departments": ["east"]}),
    );
    assert_eq!(inside.status, 200, "{}", inside.text);
    let outside = s.post(
        "/v1/tenants/acme/members",
        &wang,
        json!({"id": "qian", "name": "钱", "departments": ["rd"]}),
    );
    assert_error(&outside, 403, "denied");
    let msg = outside.json["error"]["message"].as_str().unwrap();
    assert!(msg.contains("wecom-admin/roles."), "{msg}");
    assert!(!outside.json["error"]["message_en"]
        .as_str()
        .unwrap()
        .is_empty());

    // Balance, statement and admin roles are not a scoped admin's (recharge.entry, roles.*).
    let top = s.post(
        "/v1/tenants/acme/balance/top-ups",
        &wang,
        json!({"amount": 100}),
    );
    assert_error(&top, 403, "denied");
    assert!(top.json["error"]["message"]
        .as_str()
        .unwrap()
        .contains("wecom-admin/recharge.entry"));
    assert_error(&s.get("/v1/tenants/acme/balance", &wang), 403, "denied");
    assert_error(&s.get("/v1/tenants/acme/statement", &wang), 403, "denied");
    assert_error(
        &s.post(
            "/v1/tenants/acme/super-admins",
            &wang,
            json!({"id": "wang", "kind": "internal"}),
        ),
        403,
        "denied",
    );
    // No escalation: wang cannot grant itself rd (roles.scoped-admin.own-rights-only).
    let esc = s.post(
        "/v1/tenants/acme/grants",
        &wang,
        json!({"grantee": "wang", "rights": {"directory": [{"subtree": "rd"}]}}),
    );
    assert_error(&esc, 403, "denied");
    // Its own checks run as wang.
    let c = s.post(
        "/v1/tenants/acme/checks",
        &wang,
        json!({"action": "manage-directory", "resource": "member:liu"}),
    );
    assert_eq!(c.json["actor"], "wang");
    assert_eq!(c.json["allowed"], false);
    // It may not act as the creator, nor see another tenant.
    assert_error(
        &s.post(
            "/v1/tenants/acme/members",
            &wang,
            json!({"actor": "zhang", "id": "qian", "name": "钱", "departments": ["rd"]}),
        ),
        403,
        "forbidden",
    );
    assert_error(&s.get("/v1/tenants/globex", &wang), 404, "not-found");
    // Nothing of the refused writes happened.
    let dir = s.get("/v1/tenants/acme/directory", "operator");
    let ids: Vec<&str> = dir.json["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&"sun") && !ids.contains(&"qian"), "{ids:?}");
    let roles = s.get("/v1/tenants/acme/roles", "operator");
    assert_eq!(roles.json["super_admins"], json!([]));
}

#[test]
fn balance_top_up_payment_and_statement() {
    let s = Server::start();
    setup(&s);
    let t = send_with_key(
        &s,
        "/v1/tenants/acme/balance/top-ups",
        "tenant-a",
        "topup-1",
        json!({"amount": 100_000, "method": "wechat-pay"}),
    );
    assert_eq!(t.status, 200, "{}", t.text);
    assert_eq!(t.json["outcome"]["data"]["balance"], 100_000);
    assert_eq!(t.json["outcome"]["rule"], "wecom-admin/recharge.sources");
    // The same Idempotency-Key again moves nothing.
    let again = send_with_key(
        &s,
        "/v1/tenants/acme/balance/top-ups",
        "tenant-a",
        "topup-1",
        json!({"amount": 100_000, "method": "wechat-pay"}),
    );
    assert_eq!(again.status, 200, "{}", again.text);
    assert_eq!(again.json["outcome"]["data"]["duplicate"], true);
    assert!(again.json.get("seq").is_none());
    // The same key for another amount is refused (KeyReused).
    let reused = send_with_key(
        &s,
        "/v1/tenants/acme/balance/top-ups",
        "tenant-a",
        "topup-1",
        json!({"amount": 5, "method": "wechat-pay"}),
    );
    assert_error(&reused, 409, "refused");

    let p = s.post(
        "/v1/tenants/acme/balance/payments",
        "tenant-a",
        json!({"item": "文档高级功能", "amount": 9_950, "order": "A1", "detail": "一年"}),
    );
    assert_eq!(p.status, 200, "{}", p.text);
    assert_eq!(p.json["outcome"]["data"]["balance"], 90_050);
    // Retrying the same order (key pay:A1) posts nothing twice.
    let p2 = s.post(
        "/v1/tenants/acme/balance/payments",
        "tenant-a",
        json!({"item": "文档高级功能", "amount": 9_950, "order": "A1", "detail": "一年"}),
    );
    assert_eq!(p2.json["outcome"]["data"]["duplicate"], true, "{}", p2.text);
    // No overdraft (recharge.no-overdraft), excluded items by name (recharge.payable.excluded).
    let over = s.post(
        "/v1/tenants/acme/balance/payments",
        "tenant-a",
        json!({"item": "文档高级功能", "amount": 90_051, "order": "A2"}),
    );
    assert_error(&over, 409, "refused");
    assert!(over.json["error"]["message"]
        .as_str()
        .unwrap()
        .contains("wecom-admin/recharge.no-overdraft"));
    let excl = s.post(
        "/v1/tenants/acme/balance/payments",
        "tenant-a",
        json!({"item": "会议高级功能", "amount": 100, "order": "A3"}),
    );
    assert_error(&excl, 409, "refused");
    assert_eq!(excl.json["error"]["field"], "item");

    // Refunds are the platform's.
    assert_error(
        &s.post(
            "/v1/tenants/acme/balance/refunds",
            "tenant-a",
            json!({"order": "A1", "amount": 950}),
        ),
        403,
        "forbidden",
    );
    let r = s.post(
        "/v1/tenants/acme/balance/refunds",
        "operator",
        json!({"order": "A1", "amount": 950, "reason": "部分退款"}),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    // The generic books route, keyed by the header.
    let g = send_with_key(
        &s,
        "/v1/tenants/acme/books",
        "tenant-a",
        "books-topup-9",
        json!({"command": "top-up", "amount": 1_000, "method": "bank-transfer"}),
    );
    assert_eq!(g.status, 200, "{}", g.text);
    assert_eq!(g.json["command"], "books.top-up");
    let g2 = send_with_key(
        &s,
        "/v1/tenants/acme/books",
        "tenant-a",
        "books-topup-9",
        json!({"command": "top-up", "amount": 1_000, "method": "bank-transfer"}),
    );
    assert_eq!(g2.json["outcome"]["data"]["duplicate"], true, "{}", g2.text);

    let b = s.get("/v1/tenants/acme/balance", "tenant-a");
    assert_eq!(b.status, 200, "{}", b.text);
    assert_eq!(b.json["balance"], 100_000 - 9_950 + 950 + 1_000);
    let sum: i64 = b.json["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["value"].as_i64().unwrap())
        .sum();
    assert_eq!(sum, 0, "double entry sums to zero");

    let st = s.get("/v1/tenants/acme/statement", "tenant-a");
    assert_eq!(st.status, 200, "{}", st.text);
    let rows = st.json["movements"].as_array().unwrap();
    assert_eq!(rows.len(), 4);
    assert_eq!(rows[0]["type"], "top-up");
    assert_eq!(rows[0]["amount"], 100_000);
    assert_eq!(rows[0]["operator"], "zhang");
    assert_eq!(rows[1]["amount"], -9_950);
    assert_eq!(rows[1]["order"], "A1");
    assert!(rows[0]["serial_no"].as_str().unwrap().len() == 18);

    let csv = s.get("/v1/tenants/acme/statement?format=csv", "tenant-a");
    assert_eq!(csv.status, 200);
    assert!(csv.headers["content-type"].starts_with("text/csv"));
    let lines: Vec<&str> = csv.text.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(lines.len(), 5, "{}", csv.text);
    assert!(lines[0].contains("交易流水号"), "{}", lines[0]);
    assert!(lines[1].contains("1000.00"), "{}", lines[1]);
    assert!(lines[2].contains("-99.50"), "{}", lines[2]);
    let en = s.get("/v1/tenants/acme/statement?format=csv&lang=en", "tenant-a");
    assert!(!en.text.starts_with("交易"), "{}", en.text);
    let window = s.get(
        "/v1/tenants/acme/statement?from=2000-01-01T00:00:00Z&to=2000-01-02T00:00:00Z",
        "tenant-a",
    );
    assert_eq!(window.json["movements"], json!([]));
    let bad = s.get("/v1/tenants/acme/statement?format=xml", "tenant-a");
    assert_error(&bad, 400, "bad-query");
    assert!(bad.json["error"]["message_en"]
        .as_str()
        .unwrap()
        .contains("format"));
}

#[test]
fn contacts_quota_counts_each_customer_once() {
    let s = Server::start();
    setup(&s);
    let q = s.get("/v1/tenants/acme/contacts", "tenant-a");
    assert_eq!(q.status, 200, "{}", q.text);
    assert_eq!(q.json["count"], 0);
    // Unverified: at most 100 (external-contacts.unverified-limit).
    assert_eq!(q.json["limit"], 100);
    assert_eq!(
        q.json["rule"],
        "wecom-admin/external-contacts.unverified-limit"
    );
    for c in ["c1", "c2"] {
        let a = s.post(
            "/v1/tenants/acme/books",
            "tenant-a",
            json!({"command": "contact", "contact": {"op": "add-friend", "customer": c}}),
        );
        assert_eq!(a.status, 200, "{}", a.text);
    }
    // Another member's event is not this key's to record.
    assert_error(
        &s.post(
            "/v1/tenants/acme/books",
            "tenant-a",
            json!({"command": "contact",
                "contact": {"op": "add-friend", "member": "wang", "customer": "c1"}}),
        ),
        403,
        "forbidden",
    );
    // Customer-side events are the platform's.
    assert_error(
        &s.post(
            "/v1/tenants/acme/books",
            "tenant-a",
            json!({"command": "contact",
                "contact": {"op": "join-group", "customer": "c1", "group": "g1"}}),
        ),
        403,
        "forbidden",
    );
    let op = s.post(
        "/v1/tenants/acme/books",
        "operator",
        json!({"command": "contact",
            "contact": {"op": "add-friend", "member": "wang", "customer": "c1"}}),
    );
    assert_eq!(op.status, 200, "{}", op.text);
    let q = s.get("/v1/tenants/acme/contacts?customer=c1", "tenant-a");
    assert_eq!(q.json["count"], 2, "{}", q.text);
    let mut holders: Vec<&str> = q.json["holders"]["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m.as_str().unwrap())
        .collect();
    holders.sort();
    assert_eq!(holders, ["wang", "zhang"]);
}

#[test]
fn an_approval_flow_from_template_to_handling() {
    let s = Server::start();
    setup(&s);
    let wang = key_for(&s, "acme", "wang");
    let liu = key_for(&s, "acme", "liu");
    // Templates: the creator and super admins when there is no approval app (approval.handler.add).
    assert_error(
        &s.post(
            "/v1/tenants/acme/approval-templates",
            &wang,
            json!({"template": payment_template()}),
        ),
        403,
        "denied",
    );
    let t = s.post(
        "/v1/tenants/acme/approval-templates",
        "tenant-a",
        json!({"template": payment_template()}),
    );
    assert_eq!(t.status, 200, "{}", t.text);
    let f = s.post(
        "/v1/tenants/acme/approvals",
        "tenant-a",
        json!({"template": "payment", "id": "f1",
            "form": {"amount": 800, "payee": ["liu"]}}),
    );
    assert_eq!(f.status, 200, "{}", f.text);
    assert_eq!(f.json["outcome"]["data"]["pending"], json!(["wang"]));

    let mine = s.get("/v1/tenants/acme/approvals", "tenant-a");
    assert_eq!(mine.status, 200, "{}", mine.text);
    assert_eq!(mine.json["member"], "zhang");
    assert_eq!(mine.json["templates"][0]["id"], "payment");
    assert_eq!(mine.json["forms"][0]["form"], "f1");
    assert_eq!(mine.json["pending"], json!([]));
    let w = s.get("/v1/tenants/acme/approvals", &wang);
    assert_eq!(w.json["pending"], json!(["f1"]), "{}", w.text);

    // Not zhang's turn; a tenant-admin key may not step as another member.
    assert_error(
        &s.post(
            "/v1/tenants/acme/approvals/f1/steps",
            "tenant-a",
            json!({"step": "approve"}),
        ),
        403,
        "denied",
    );
    assert_error(
        &s.post(
            "/v1/tenants/acme/approvals/f1/steps",
            "tenant-a",
            json!({"step": "approve", "actor": "wang"}),
        ),
        403,
        "forbidden",
    );
    let a = s.post(
        "/v1/tenants/acme/approvals/f1/steps",
        &wang,
        json!({"step": "approve", "comment": "同意"}),
    );
    assert_eq!(a.status, 200, "{}", a.text);
    assert_eq!(a.json["outcome"]["data"]["pending"], json!(["liu"]));
    // A handler cannot reject (approval.handler), and must give an opinion.
    let rej = s.post(
        "/v1/tenants/acme/approvals/f1/steps",
        &liu,
        json!({"step": "reject", "comment": "不办"}),
    );
    assert_error(&rej, 409, "refused");
    assert!(rej.json["error"]["message"]
        .as_str()
        .unwrap()
        .contains("wecom-admin/approval.handler"));
    assert_error(
        &s.post(
            "/v1/tenants/acme/approvals/f1/steps",
            &liu,
            json!({"step": "confirm"}),
        ),
        409,
        "refused",
    );
    let done = s.post(
        "/v1/tenants/acme/approvals/f1/steps",
        &liu,
        json!({"step": "confirm", "comment": "已付款"}),
    );
    assert_eq!(done.status, 200, "{}", done.text);
    assert_eq!(done.json["outcome"]["data"]["status"]["status"], "approved");

    let one = s.get("/v1/tenants/acme/approvals/f1", "tenant-a");
    assert_eq!(one.status, 200, "{}", one.text);
    assert_eq!(one.json["status"]["status"], "approved");
    assert!(one.json["history"].as_array().unwrap().len() >= 3);
    assert_error(
        &s.get("/v1/tenants/acme/approvals/nope", "tenant-a"),
        404,
        "not-found",
    );
    // chen has no part in f1 and may not view it (approval.settings.view).
    let chen = key_for(&s, "acme", "chen");
    let hidden = s.get("/v1/tenants/acme/approvals/f1", &chen);
    assert_error(&hidden, 403, "denied");
    assert_eq!(
        s.get("/v1/tenants/acme/approvals", &chen).json["forms"],
        json!([])
    );

    // Submitting for someone else needs the template's option (submit-for-others).
    let other = s.post(
        "/v1/tenants/acme/approvals",
        "tenant-a",
        json!({"template": "payment", "id": "f2", "applicant": "liu",
            "form": {"amount": 1, "payee": ["liu"]}}),
    );
    assert!(other.status == 409 || other.status == 403, "{}", other.text);
    assert!(other.json["error"]["message"]
        .as_str()
        .unwrap()
        .contains("submit-for-others"));
    // Through the books route the submitter is the key's member too.
    let via = s.post(
        "/v1/tenants/acme/books",
        "tenant-a",
        json!({"command": "submit", "template": "payment",
            "submission": {"id": "f3", "form": {"amount": 5, "payee": ["liu"]}}}),
    );
    assert_eq!(via.status, 200, "{}", via.text);
    let inst = s.get("/v1/tenants/acme/approvals/f3", "operator");
    assert_eq!(inst.json["applicant"], "zhang", "{}", inst.text);
}

/// Every tenant route with a valid body: (method, path, body).
fn every_route(t: &str) -> Vec<(&'static str, String, Option<Value>)> {
    let p = |s: &str| format!("/v1/tenants/{t}{s}");
    vec![
        ("GET", p(""), None),
        ("GET", p("/directory"), None),
        ("GET", p("/roles"), None),
        (
            "POST",
            p("/members"),
            Some(json!({"id": "x1", "name": "X", "departments": ["root"]})),
        ),
        ("DELETE", p("/members/wang"), None),
        (
            "POST",
            p("/departments"),
            Some(json!({"id": "dx", "name": "DX", "parent": "root"})),
        ),
        (
            "PATCH",
            p("/departments/east"),
            Some(json!({"parent": "rd"})),
        ),
        ("DELETE", p("/departments/rd"), None),
        (
            "POST",
            p("/super-admins"),
            Some(json!({"id": "liu", "kind": "internal"})),
        ),
        ("DELETE", p("/super-admins/liu"), None),
        ("POST", p("/scoped-admins"), Some(json!({"member": "liu"}))),
        (
            "POST",
            p("/grants"),
            Some(json!({"grantee": "wang", "rights": {"directory": [{"subtree": "rd"}]}})),
        ),
        (
            "POST",
            p("/revocations"),
            Some(json!({"grantee": "wang", "rights": {"directory": [{"subtree": "sales"}]}})),
        ),
        ("POST", p("/creator/transfer"), Some(json!({"to": "liu"}))),
        (
            "POST",
            p("/commands"),
            Some(
                json!({"command": "add-member", "id": "x2", "name": "X", "departments": ["root"]}),
            ),
        ),
        (
            "POST",
            p("/checks"),
            Some(json!({"action": "manage-balance"})),
        ),
        ("GET", p("/balance"), None),
        ("GET", p("/statement"), None),
        ("GET", p("/statement?format=csv"), None),
        ("POST", p("/balance/top-ups"), Some(json!({"amount": 100}))),
        (
            "POST",
            p("/balance/payments"),
            Some(json!({"item": "文档高级功能", "amount": 100, "order": "X9"})),
        ),
        (
            "POST",
            p("/balance/refunds"),
            Some(json!({"order": "A1", "amount": 1})),
        ),
        (
            "POST",
            p("/books"),
            Some(json!({"command": "top-up", "amount": 100, "method": "wechat-pay"})),
        ),
        ("GET", p("/contacts"), None),
        ("GET", p("/approvals"), None),
        (
            "POST",
            p("/approvals"),
            Some(
                json!({"template": "payment", "id": "fx", "form": {"amount": 1, "payee": ["liu"]}}),
            ),
        ),
        ("GET", p("/approvals/f1"), None),
        (
            "POST",
            p("/approvals/f1/steps"),
            Some(json!({"step": "withdraw"})),
        ),
        (
            "POST",
            p("/approval-templates"),
            Some(json!({"template": payment_template()})),
        ),
    ]
}

/// Acme as the operator sees it.
fn snapshot(s: &Server) -> Vec<Value> {
    [
        "",
        "/directory",
        "/roles",
        "/balance",
        "/statement",
        "/contacts",
        "/approvals",
        "/approvals/f1",
    ]
    .iter()
    .map(|x| s.get(&format!("/v1/tenants/acme{x}"), "operator").json)
    .collect()
}

#[test]
fn every_tenant_route_is_isolated() {
    let s = Server::start();
    setup(&s);
    scope_wang(&s);
    // Some state in acme to protect.
    let t = s.post(
        "/v1/tenants/acme/balance/top-ups",
        "tenant-a",
        json!({"amount": 50_000}),
    );
    assert_eq!(t.status, 200, "{}", t.text);
    s.post(
        "/v1/tenants/acme/balance/payments",
        "tenant-a",
        json!({"item": "文档高级功能", "amount": 1_000, "order": "A1"}),
    );
    s.post(
        "/v1/tenants/acme/approval-templates",
        "tenant-a",
        json!({"template": payment_template()}),
    );
    let f = s.post(
        "/v1/tenants/acme/approvals",
        "tenant-a",
        json!({"template": "payment", "id": "f1", "form": {"amount": 8, "payee": ["liu"]}}),
    );
    assert_eq!(f.status, 200, "{}", f.text);
    let before = snapshot(&s);
    let events = tenant_events(&s);

    let routes = every_route("acme");
    assert!(routes.len() >= 29);
    for (method, path, body) in &routes {
        // Another tenant's admin: 404, as if acme did not exist.
        let a = s.call(method, path, "tenant-b", body.as_ref());
        assert_error(&a, 404, "not-found");
        assert!(
            !a.text.contains("Acme"),
            "{method} {path} reveals acme: {}",
            a.text
        );
        // Roles without tenant access: 403.
        for key in ["reviewer", "provider-a", "scanner"] {
            let a = s.call(method, path, key, body.as_ref());
            assert_error(&a, 403, "forbidden");
        }
    }
    for key in ["reviewer", "provider-a", "scanner"] {
        assert_error(&s.get("/v1/tenants", key), 403, "forbidden");
        assert_error(
            &s.post(
                "/v1/tenants",
                key,
                json!({"id": "x", "name": "X", "creator": "x"}),
            ),
            403,
            "forbidden",
        );
    }
    // The same routes on a tenant that does not exist answer the same 404.
    for (method, path, body) in every_route("nope") {
        assert_error(
            &s.call(method, &path, "tenant-b", body.as_ref()),
            404,
            "not-found",
        );
    }

    // A tenant-admin naming another actor: 403 on every write that has one.
    let as_other = |body: &Value| {
        let mut b = body.clone();
        b["actor"] = json!("wang");
        b
    };
    let mut writes = 0;
    for (method, path, body) in &routes {
        let Some(body) = body else {
            if *method == "DELETE" {
                let a = s.call(method, &format!("{path}?actor=wang"), "tenant-a", None);
                assert_error(&a, 403, "forbidden");
                writes += 1;
            }
            continue;
        };
        if path.ends_with("/refunds") {
            continue; // no actor: the platform's, refused to tenant-admin keys anyway
        }
        let b = if path.ends_with("/approvals") {
            let mut b = body.clone();
            b["submitter"] = json!("wang");
            b
        } else {
            as_other(body)
        };
        let a = s.call(method, path, "tenant-a", Some(&b));
        assert_error(&a, 403, "forbidden");
        writes += 1;
    }
    assert_eq!(writes, 19);
    // Platform-only routes refuse tenant-admin keys of the tenant itself.
    assert_error(
        &s.post(
            "/v1/tenants/acme/balance/refunds",
            "tenant-a",
            json!({"order": "A1", "amount": 1}),
        ),
        403,
        "forbidden",
    );
    assert_error(
        &s.post(
            "/v1/tenants/acme/books",
            "tenant-a",
            json!({"command": "tick"}),
        ),
        403,
        "forbidden",
    );
    assert_error(
        &s.post(
            "/v1/tenants/acme/books",
            "tenant-a",
            json!({"command": "add-customer", "add": "a1"}),
        ),
        403,
        "forbidden",
    );
    // A tenant-admin key does not choose the time.
    assert_error(
        &s.post(
            "/v1/tenants/acme/books",
            "tenant-a",
            json!({"command": "top-up", "amount": 1, "method": "wechat-pay", "at": 0}),
        ),
        403,
        "forbidden",
    );
    assert_error(
        &s.post(
            "/v1/tenants/acme/commands",
            "tenant-a",
            json!({"command": "assign-seat", "product": "安全高级功能", "member": "wang", "at": 0}),
        ),
        403,
        "forbidden",
    );
    // The tenant is the path's: a body naming one is refused.
    let other = s.post(
        "/v1/tenants/acme/commands",
        "tenant-a",
        json!({"command": "add-member", "tenant": "globex", "id": "x", "name": "X", "departments": ["root"]}),
    );
    assert_error(&other, 422, "bad-field");
    assert_eq!(other.json["error"]["field"], "tenant");

    assert_eq!(tenant_events(&s), events, "nothing was stored");
    assert_eq!(snapshot(&s), before, "acme is unchanged");
}

#[test]
fn bad_input_gets_clean_4xx_naming_the_field() {
    let s = Server::start();
    setup(&s);
    let cases: Vec<(&str, Value, u16, &str)> = vec![
        (
            "/v1/tenants/acme/balance/top-ups",
            json!({"amount": -5}),
            400,
            "amount",
        ),
        (
            "/v1/tenants/acme/balance/top-ups",
            json!({"amount": 0}),
            400,
            "amount",
        ),
        (
            "/v1/tenants/acme/balance/top-ups",
            json!({"amount": "100"}),
            422,
            "amount",
        ),
        (
            "/v1/tenants/acme/balance/top-ups",
            json!({"amount": 1.5}),
            422,
            "amount",
        ),
        (
            "/v1/tenants/acme/balance/payments",
            json!({"item": "文档高级功能", "amount": -1, "order": "B"}),
            400,
            "amount",
        ),
        (
            "/v1/tenants/acme/books",
            json!({"command": "top-up", "amount": -100, "method": "wechat-pay"}),
            400,
            "amount",
        ),
        (
            "/v1/tenants/acme/books",
            json!({"command": "top-up", "amount": 100, "method": "gold"}),
            409,
            "method",
        ),
        (
            "/v1/tenants/acme/books",
            json!({"command": "pay", "amount": "x", "item": "获客助手", "order": "o"}),
            422,
            "amount",
        ),
        (
            "/v1/tenants/acme/members",
            json!({"id": "m", "departments": "root"}),
            422,
            "departments",
        ),
        (
            "/v1/tenants/acme/members",
            json!({"id": "m", "departments": []}),
            400,
            "departments",
        ),
        (
            "/v1/tenants/acme/super-admins",
            json!({"id": "liu", "kind": "boss"}),
            422,
            "kind",
        ),
        (
            "/v1/tenants/acme/commands",
            json!({"command": "add-member", "id": "m", "name": "M", "departments": ["root"], "colour": "red"}),
            422,
            "colour",
        ),
        (
            "/v1/tenants/acme/commands",
            json!({"command": "add-member", "id": 5, "name": "M", "departments": ["root"]}),
            422,
            "id",
        ),
        (
            "/v1/tenants/acme/commands",
            json!({"command": "add-member", "actor": 7, "id": "m", "name": "M", "departments": ["root"]}),
            422,
            "actor",
        ),
        (
            "/v1/tenants",
            json!({"id": "a b", "name": "X", "creator": "c"}),
            400,
            "id",
        ),
    ];
    for (path, body, status, field) in cases {
        let key = if path == "/v1/tenants" {
            "operator"
        } else {
            "tenant-a"
        };
        let a = s.post(path, key, body.clone());
        assert_eq!(a.status, status, "{path} {body}: {}", a.text);
        assert_eq!(a.json["error"]["field"], field, "{path} {body}: {}", a.text);
        assert!(a.json["error"]["message"].as_str().is_some());
    }
    // Unknown fields are named.
    let u = s.post(
        "/v1/tenants/acme/balance/top-ups",
        "tenant-a",
        json!({"amount": 100, "colour": "red"}),
    );
    assert_eq!(u.status, 422, "{}", u.text);
    assert_eq!(u.json["error"]["field"], "colour", "{}", u.text);
    let u = s.post(
        "/v1/tenants/acme/books",
        "tenant-a",
        json!({"command": "top-up", "amount": 100, "method": "wechat-pay", "colour": "red"}),
    );
    assert_eq!(u.status, 422, "{}", u.text);
    assert_eq!(u.json["error"]["field"], "colour", "{}", u.text);
    // Malformed JSON, a non-object, an unknown command, a bad idempotency key.
    assert_error(
        &s.raw(
            "POST",
            "/v1/tenants/acme/members",
            "tenant-a",
            "application/json",
            Some(b"{\"id\":"),
        ),
        400,
        "bad-json",
    );
    assert_eq!(
        s.post("/v1/tenants/acme/books", "tenant-a", json!([1, 2]))
            .status,
        422
    );
    let unk = s.post(
        "/v1/tenants/acme/books",
        "tenant-a",
        json!({"command": "print-money"}),
    );
    assert_eq!(unk.status, 422, "{}", unk.text);
    let long = "k".repeat(201);
    let k = send_with_key(
        &s,
        "/v1/tenants/acme/balance/top-ups",
        "tenant-a",
        &long,
        json!({"amount": 100}),
    );
    assert_error(&k, 400, "invalid");
    assert_eq!(k.json["error"]["field"], "Idempotency-Key");
    let q = s.get("/v1/tenants/acme/statement?from=yesterday", "tenant-a");
    assert_error(&q, 400, "invalid");
    assert_eq!(q.json["error"]["field"], "from");
    // Nothing of it reached the books.
    assert_eq!(
        s.get("/v1/tenants/acme/statement", "tenant-a").json["movements"],
        json!([])
    );
}

#[test]
fn a_retried_directory_change_is_answered_from_the_log() {
    let s = Server::start();
    setup(&s);
    let before = tenant_events(&s);
    let body = json!({"id": "zhou", "name": "周", "departments": ["rd"]});
    let first = send_with_key(
        &s,
        "/v1/tenants/acme/members",
        "tenant-a",
        "add-zhou",
        body.clone(),
    );
    assert_eq!(first.status, 200, "{}", first.text);
    assert_eq!(first.json["repeat"], false);
    // Without the key the same change is refused (the member exists); with
    // it, the retry is recognised and changes nothing.
    let again = send_with_key(&s, "/v1/tenants/acme/members", "tenant-a", "add-zhou", body);
    assert_eq!(again.status, 200, "{}", again.text);
    assert_eq!(again.json["repeat"], true);
    assert_eq!(again.json["seq"], first.json["seq"]);
    assert_eq!(tenant_events(&s), before + 1);
}
