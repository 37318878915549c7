//! Benchmark of the tenant books: durable ledger postings per second
//! through the journal (batched, one fsync'd transaction per batch) beside
//! raw appends of the same events to the same store, in-memory postings,
//! replay, external-contact quota adds, and approval instance steps.
//!
//! Run with `bench/tenant/books.sh [--postings N] [--batch N] [--adds N]
//! [--instances N]`; see bench/tenant/README.md.

use std::time::Instant;

use bylaw_rulebook::Rulebook;
use bylaw_store::{EventLog, NewEvent};
use bylaw_tenant::books::BookCommand;
use bylaw_tenant::file::{Command, TenantFile};
use bylaw_tenant::journal::{BookEvent, Entry, Journal};
use bylaw_tenant::ledger::{Ledger, LedgerRules, Posting};
use bylaw_tenant::Fen;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const T0: i64 = 1_795_248_000;

const TENANT: &str = r#"
[tenant]
id = "acme"
name = "示例科技"
creator = "boss"
verified = true

[[member]]
id = "boss"
departments = ["root"]

[[member]]
id = "admin"
departments = ["root"]

[[super_admin]]
id = "admin"
kind = "internal"
"#;

struct Args {
    postings: usize,
    batch: usize,
    single: usize,
    adds: usize,
    instances: usize,
}

fn args() -> Args {
    let mut a = Args {
        postings: 200_000,
        batch: 1_000,
        single: 2_000,
        adds: 1_000_000,
        instances: 100_000,
    };
    let v: Vec<String> = std::env::args().skip(1).collect();
    let mut i = 0;
    while i < v.len() {
        let n = v
            .get(i + 1)
            .and_then(|x| x.parse().ok())
            .unwrap_or_else(|| panic!("{} needs a number", v[i]));
        match v[i].as_str() {
            "--postings" => a.postings = n,
            "--batch" => a.batch = n,
            "--single" => a.single = n,
            "--adds" => a.adds = n,
            "--instances" => a.instances = n,
            x => panic!("unknown flag {x}"),
        }
        i += 2;
    }
    a
}

fn command(i: usize) -> BookCommand {
    if i % 10 == 0 {
        BookCommand::TopUp {
            key: format!("k{i}"),
            actor: "admin".into(),
            method: "bank-transfer".into(),
            amount: Fen::yuan(1_000),
            at: T0 + i as i64,
        }
    } else {
        BookCommand::Pay {
            key: format!("k{i}"),
            actor: "admin".into(),
            order: format!("o{i}"),
            item: "文档高级功能".into(),
            amount: Fen(9_900 + (i % 100) as i64),
            detail: String::new(),
            at: T0 + i as i64,
        }
    }
}

fn entry(i: usize) -> Entry {
    Entry::Books(BookEvent {
        tenant: "acme".into(),
        command: command(i),
    })
}

fn fresh(dir: &std::path::Path, name: &str, rb: &Rulebook) -> Journal {
    let path = dir.join(name);
    let mut j = Journal::open(&path, rb).expect("open");
    let f = TenantFile::parse(TENANT).expect("tenant");
    j.submit_one(Entry::Tenant(Command::Import { file: Box::new(f) }))
        .expect("store")
        .expect("import");
    j
}

fn rate(n: usize, secs: f64) -> String {
    format!("{:>10.0}/s", n as f64 / secs)
}

fn main() {
    let a = args();
    let rb = Rulebook::embedded().expect("rulebook");
    let dir = std::env::temp_dir().join(format!("bylaw-books-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");

    println!("== ledger: durable postings (journal, SQLite WAL, synchronous=FULL) ==");
    // Journal, batched.
    let mut j = fresh(&dir, "batched.db", &rb);
    let entries: Vec<Entry> = (0..a.postings).map(entry).collect();
    let t = Instant::now();
    let mut refused = 0;
    for chunk in entries.chunks(a.batch) {
        for r in j.submit(chunk).expect("submit") {
            if r.is_err() {
                refused += 1;
            }
        }
    }
    let journal_secs = t.elapsed().as_secs_f64();
    let l = &j.books("acme").expect("books").ledger;
    println!(
        "journal, batches of {:>5}: {} postings in {:.2} s = {} ({} refused, balance {})",
        a.batch,
        a.postings,
        journal_secs,
        rate(a.postings, journal_secs),
        refused,
        l.balance()
    );
    drop(j);

    // The same events appended raw (no ledger, no checks): the store's floor.
    let mut log = EventLog::open(&dir.join("raw.db")).expect("raw");
    let events: Vec<NewEvent> = (0..a.postings)
        .map(|i| NewEvent {
            key: format!("acme/k{i}"),
            at: "2026-11-21T08:00:00Z".into(),
            kind: "tenant.books.pay".into(),
            payload: serde_json::to_string(&BookEvent {
                tenant: "acme".into(),
                command: command(i),
            })
            .expect("json"),
        })
        .collect();
    let t = Instant::now();
    for chunk in events.chunks(a.batch) {
        log.append(chunk).expect("append");
    }
    let raw_secs = t.elapsed().as_secs_f64();
    println!(
        "raw appends, same batches: {} events in {:.2} s = {}   journal/raw time ratio {:.2}",
        a.postings,
        raw_secs,
        rate(a.postings, raw_secs),
        journal_secs / raw_secs
    );

    // One posting per transaction.
    let mut j = fresh(&dir, "single.db", &rb);
    let t = Instant::now();
    for e in entries.iter().take(a.single) {
        j.submit(std::slice::from_ref(e)).expect("submit");
    }
    let s = t.elapsed().as_secs_f64();
    println!(
        "journal, one per transaction: {} postings in {:.2} s = {}",
        a.single,
        s,
        rate(a.single, s)
    );
    drop(j);

    // Replay.
    let t = Instant::now();
    let j = Journal::open(&dir.join("batched.db"), &rb).expect("reopen");
    let s = t.elapsed().as_secs_f64();
    println!(
        "replay: {} events in {:.2} s = {} (balance {})",
        a.postings + 1,
        s,
        rate(a.postings + 1, s),
        j.books("acme").expect("books").ledger.balance()
    );
    drop(j);

    // In memory.
    let lr = LedgerRules::from_rulebook(&rb).expect("rules");
    let postings: Vec<Posting> = (0..a.postings)
        .map(|i| match command(i) {
            BookCommand::TopUp {
                key,
                actor,
                method,
                amount,
                at,
            } => Posting::TopUp {
                key,
                at,
                method,
                amount,
                operator: actor,
            },
            BookCommand::Pay {
                key,
                actor,
                order,
                item,
                amount,
                detail,
                at,
            } => Posting::Pay {
                key,
                at,
                order,
                item,
                amount,
                operator: actor,
                detail,
            },
            _ => unreachable!(),
        })
        .collect();
    let mut l = Ledger::new();
    let t = Instant::now();
    for p in &postings {
        let _ = l.post(&lr, p);
    }
    let s = t.elapsed().as_secs_f64();
    println!(
        "in memory (Ledger::post): {} postings in {:.3} s = {}",
        a.postings,
        s,
        rate(a.postings, s)
    );

    extra::quota(&rb, a.adds);
    extra::approvals(&rb, a.instances);
    let _ = std::fs::remove_dir_all(&dir);
}

mod extra {
    use super::*;

    use std::collections::{HashMap, HashSet};

    use bylaw_tenant::approval::{
        Assignee, Direction, Field, FieldKind, Instance, Mode, NodeSpec, Role, Status, Submission,
        Template, Value,
    };
    use bylaw_tenant::contacts::{ContactBook, QuotaLimits};
    use bylaw_tenant::Directory;

    /// Members holding the customers.
    const MEMBERS: usize = 1_000;
    /// Group chats the joining customers are spread over.
    const GROUPS: usize = 10_000;
    /// The tier bought so that the capacity is large (the largest row of `tiers`).
    const TIER: u64 = 1_000_000;

    /// The naive peer: customer → (members holding it, groups it is in), and a counter.
    #[derive(Default)]
    struct Naive {
        map: HashMap<String, (HashSet<String>, HashSet<String>)>,
        count: u64,
        cap: u64,
    }

    impl Naive {
        fn add_friend(&mut self, member: &str, customer: &str) -> Result<bool, ()> {
            match self.map.get_mut(customer) {
                Some((ms, gs)) => {
                    let new_slot = ms.is_empty() && gs.is_empty();
                    if new_slot && self.count >= self.cap {
                        return Err(());
                    }
                    if ms.insert(member.to_string()) && new_slot {
                        self.count += 1;
                    }
                    Ok(new_slot)
                }
                None => {
                    if self.count >= self.cap {
                        return Err(());
                    }
                    let mut ms = HashSet::new();
                    ms.insert(member.to_string());
                    self.map.insert(customer.to_string(), (ms, HashSet::new()));
                    self.count += 1;
                    Ok(true)
                }
            }
        }

        fn join_group(&mut self, customer: &str, group: &str) -> Result<bool, ()> {
            match self.map.get_mut(customer) {
                Some((ms, gs)) => {
                    let new_slot = ms.is_empty() && gs.is_empty();
                    if new_slot && self.count >= self.cap {
                        return Err(());
                    }
                    if gs.insert(group.to_string()) && new_slot {
                        self.count += 1;
                    }
                    Ok(new_slot)
                }
                None => {
                    if self.count >= self.cap {
                        return Err(());
                    }
                    let mut gs = HashSet::new();
                    gs.insert(group.to_string());
                    self.map.insert(customer.to_string(), (HashSet::new(), gs));
                    self.count += 1;
                    Ok(true)
                }
            }
        }

        fn member_deletes(&mut self, member: &str, customer: &str) -> Result<bool, ()> {
            let (ms, gs) = self.map.get_mut(customer).ok_or(())?;
            if !ms.remove(member) {
                return Err(());
            }
            let released = ms.is_empty() && gs.is_empty();
            if released {
                self.count -= 1;
            }
            Ok(released)
        }
    }

    /// External-contact quota adds per second.
    ///
    /// `adds` distinct customers are added by 1,000 members (customer i by
    /// member i mod 1000), then added again by a second member (i + 1 mod
    /// 1000: the dedup path), the first quarter joins 10,000 groups, and the
    /// second half is deleted by both of its members (every one of them is
    /// released). The same sequence runs on a naive `HashMap` peer.
    pub fn quota(rb: &Rulebook, adds: usize) {
        println!("== external-contact quota (ContactBook, {TIER} tier, {MEMBERS} members) ==");
        let limits = QuotaLimits::from_rulebook(rb).expect("quota limits");
        let mut book = ContactBook::new(limits);
        book.set_verified(true);
        let quote = book.quote(TIER, T0).expect("quote");
        book.commit(&quote, "quota-bench", T0).expect("commit");
        let at = T0 + 60;
        let cap = book.capacity(at).limit;
        let adds = if adds as u64 > cap {
            println!("(--adds {adds} exceeds the capacity {cap}; using {cap})");
            cap as usize
        } else {
            adds
        };

        let members: Vec<String> = (0..MEMBERS).map(|i| format!("m{i}")).collect();
        let customers: Vec<String> = (0..adds).map(|i| format!("c{i}")).collect();
        let groups: Vec<String> = (0..GROUPS).map(|i| format!("g{i}")).collect();
        let first = |i: usize| members[i % MEMBERS].as_str();
        let second = |i: usize| members[(i + 1) % MEMBERS].as_str();
        let joiners = adds / 4;
        let deleted = adds / 2..adds;
        let deletes = 2 * deleted.len();
        let expected = (adds - deleted.len()) as u64;

        // bylaw: new customers.
        let t = Instant::now();
        let mut new_slots = 0usize;
        for (i, c) in customers.iter().enumerate() {
            if book.add_friend(first(i), c, at).expect("add").new_slot {
                new_slots += 1;
            }
        }
        let b_adds = t.elapsed().as_secs_f64();
        assert_eq!(new_slots, adds);
        assert_eq!(book.count(), adds as u64);

        // bylaw: the same customers by a second member (dedup).
        let t = Instant::now();
        for (i, c) in customers.iter().enumerate() {
            let o = book.add_friend(second(i), c, at).expect("repeat add");
            assert!(!o.new_slot && !o.existed);
        }
        let b_repeat = t.elapsed().as_secs_f64();
        assert_eq!(book.count(), adds as u64);

        // bylaw: group joins.
        let t = Instant::now();
        for (i, c) in customers.iter().take(joiners).enumerate() {
            let o = book.join_group(c, &groups[i % GROUPS], at).expect("join");
            assert!(!o.new_slot);
        }
        let b_joins = t.elapsed().as_secs_f64();
        assert_eq!(book.count(), adds as u64);

        // bylaw: member deletes (the second deletion of each customer releases it).
        let t = Instant::now();
        let mut released = 0usize;
        for i in deleted.clone() {
            let c = &customers[i];
            let a = book.member_deletes(first(i), c).expect("delete");
            let b = book.member_deletes(second(i), c).expect("delete");
            released += a.released as usize + b.released as usize;
        }
        let b_deletes = t.elapsed().as_secs_f64();
        assert_eq!(released, deleted.len());
        assert_eq!(book.count(), expected);

        println!(
            "new customers (add_friend):  {adds} in {b_adds:.3} s = {}",
            rate(adds, b_adds)
        );
        println!(
            "repeat adds (dedup):         {adds} in {b_repeat:.3} s = {}",
            rate(adds, b_repeat)
        );
        println!(
            "group joins ({GROUPS} groups):  {joiners} in {b_joins:.3} s = {}",
            rate(joiners, b_joins)
        );
        println!(
            "member deletes:              {deletes} in {b_deletes:.3} s = {} ({released} released)",
            rate(deletes, b_deletes)
        );
        println!("count() = {} (expected {expected})", book.count());
        drop(book);

        // The naive peer on the same sequence.
        let mut naive = Naive {
            cap,
            ..Naive::default()
        };
        let t = Instant::now();
        let mut new_slots = 0usize;
        for (i, c) in customers.iter().enumerate() {
            if naive.add_friend(first(i), c).expect("naive add") {
                new_slots += 1;
            }
        }
        let n_adds = t.elapsed().as_secs_f64();
        assert_eq!(new_slots, adds);
        let t = Instant::now();
        for (i, c) in customers.iter().enumerate() {
            assert!(!naive.add_friend(second(i), c).expect("naive repeat"));
        }
        let n_repeat = t.elapsed().as_secs_f64();
        let t = Instant::now();
        for (i, c) in customers.iter().take(joiners).enumerate() {
            assert!(!naive
                .join_group(c, &groups[i % GROUPS])
                .expect("naive join"));
        }
        let n_joins = t.elapsed().as_secs_f64();
        let t = Instant::now();
        let mut released = 0usize;
        for i in deleted {
            let c = &customers[i];
            released += naive.member_deletes(first(i), c).expect("naive delete") as usize;
            released += naive.member_deletes(second(i), c).expect("naive delete") as usize;
        }
        let n_deletes = t.elapsed().as_secs_f64();
        assert_eq!(released, adds - adds / 2);
        assert_eq!(naive.count, expected);
        println!(
            "naive HashMap<String, (HashSet, HashSet)>: adds {}, repeats {}, joins {}, deletes {}, count {}",
            rate(adds, n_adds),
            rate(adds, n_repeat),
            rate(joiners, n_joins),
            rate(deletes, n_deletes),
            naive.count
        );
        println!(
            "bylaw/naive time ratio, new-customer adds: {:.2}",
            b_adds / n_adds
        );
    }

    /// Approval instance steps per second.
    ///
    /// A directory 公司 → d1 → d2 → d3 → d4 with a head at each level, the
    /// applicants in d4, and a five-node template: the applicant's department
    /// head (level 1, bottom-up, any), two designated members in sequence, a
    /// designated member, a tag of three (any) and a handler. Every form is
    /// submitted and driven to Approved; the submit and every approve or
    /// confirm count as steps.
    pub fn approvals(_rb: &Rulebook, instances: usize) {
        println!("== approvals (Instance, 5 nodes, 4-deep department chain) ==");
        const APPLICANTS: usize = 100;
        const TAG: &str = "财务";
        let mut dir = Directory::new("root", "公司");
        let chain = ["root", "d1", "d2", "d3", "d4"];
        for w in chain.windows(2) {
            dir.add_department(w[1], w[1], w[0]).expect("department");
        }
        let heads = ["h0", "h1", "h2", "h3", "h4"];
        for (d, h) in chain.iter().zip(heads) {
            dir.add_member(h, h, &[d.to_string()]).expect("head");
            dir.set_head(d, h, true).expect("set head");
        }
        let designated = ["s1", "s2", "dm", "t1", "t2", "t3", "hd"];
        for m in designated {
            dir.add_member(m, m, &["d1".to_string()]).expect("member");
        }
        for m in ["t1", "t2", "t3"] {
            dir.tag(m, TAG, true).expect("tag");
        }
        let applicants: Vec<String> = (0..APPLICANTS).map(|i| format!("a{i}")).collect();
        for a in &applicants {
            dir.add_member(a, a, &["d4".to_string()])
                .expect("applicant");
        }
        let people: Vec<&str> = heads.iter().chain(designated.iter()).copied().collect();

        let members = |ms: &[&str]| Assignee::Members {
            members: ms.iter().map(|m| m.to_string()).collect(),
        };
        let template = Template::new(
            "expense",
            "报销",
            vec![
                Field::new("amount", FieldKind::Number, true),
                Field::new("note", FieldKind::Text, false),
            ],
            vec![
                NodeSpec::approver(
                    Assignee::DeptHead {
                        level: 1,
                        direction: Direction::BottomUp,
                    },
                    Mode::Any,
                ),
                NodeSpec::approver(members(&["s1", "s2"]), Mode::Sequential),
                NodeSpec::approver(members(&["dm"]), Mode::All),
                NodeSpec::approver(Assignee::Tag { tag: TAG.into() }, Mode::Any),
                NodeSpec::handler(members(&["hd"]), Mode::Any),
            ],
        );
        template.validate().expect("template");

        let subs: Vec<Submission> = (0..instances)
            .map(|i| {
                Submission::new(&format!("f{i}"), &applicants[i % APPLICANTS])
                    .field("amount", Value::Number((100 + i % 900) as f64))
            })
            .collect();

        let t = Instant::now();
        let mut steps = 0usize;
        let mut approved = 0usize;
        for (i, sub) in subs.into_iter().enumerate() {
            let at = T0 + i as i64;
            let (mut inst, _) = Instance::submit(&template, &dir, sub, at).expect("submit");
            steps += 1;
            let mut guard = 0;
            while inst.status() != Status::Approved {
                guard += 1;
                assert!(
                    guard <= 16,
                    "form f{i} does not finish: {:?}",
                    inst.status()
                );
                let who = {
                    let pending = inst.pending();
                    let first = *pending.first().expect("someone pending");
                    *people.iter().find(|p| **p == first).expect("known member")
                };
                match inst.may_act(who).expect("may act") {
                    Role::Approver => inst.approve(&dir, who, None, None, at).expect("approve"),
                    Role::Handler => inst.confirm(&dir, who, None, at).expect("confirm"),
                };
                steps += 1;
            }
            approved += 1;
        }
        let s = t.elapsed().as_secs_f64();
        assert_eq!(approved, instances);
        println!(
            "instances submitted and approved: {instances} in {s:.3} s = {} ({} steps = {}, all Approved)",
            rate(instances, s),
            steps,
            rate(steps, s)
        );
    }
}
