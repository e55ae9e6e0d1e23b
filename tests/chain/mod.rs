//! A real chain for tests: anvil on 127.0.0.1 (stopped by its own PID on drop) with the real
//! StreamRegistryV5 bytecode from `@streamr/network-contracts@8.2.0`, reached over JSON-RPC.
//! Missing npm packages fail the test with a hint (`npm ci`); they never skip it.

#![allow(dead_code, unreachable_pub)]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use alloy_primitives::Address;
use alloy_sol_types::{SolCall, sol};
use serde_json::{Value, json};
use streamr_e2ee::UserId;
use streamr_e2ee::registry::{CallOutcome, Decision, Lookup, PermissionOracle, PermissionType};

sol! {
    function initialize(address ensCacheAddr, address trustedForwarderAddress);
    function createStream(string streamIdPath, string metadataJsonString);
    function grantPermission(string streamId, address user, uint8 permissionType);
    function revokePermission(string streamId, address user, uint8 permissionType);
    function grantPermissionForUserId(string streamId, bytes user, uint8 permissionType);
    function setExpirationTime(string streamId, address user, uint8 permissionType, uint256 expirationTime);
    function grantPublicPermission(string streamId, uint8 permissionType);
}

pub const ACCOUNT0: &str = "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266";

// ---------------------------------------------------------------------------------------
// anvil

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn anvil_binary() -> PathBuf {
    let platform = match (std::env::consts::OS, std::env::consts::ARCH) {
        ("linux", "x86_64") => "linux-amd64",
        ("linux", "aarch64") => "linux-arm64",
        ("macos", "x86_64") => "darwin-amd64",
        ("macos", "aarch64") => "darwin-arm64",
        (os, arch) => panic!("no @foundry-rs/anvil binary package for {os}/{arch}"),
    };
    let path = root().join(format!(
        "node_modules/@foundry-rs/anvil-{platform}/bin/anvil"
    ));
    require(&path);
    path
}

pub fn require(path: &Path) {
    assert!(
        path.exists(),
        "{} is missing: run `npm ci` in {} (it needs @foundry-rs/anvil@1.7.1 and \
         @streamr/network-contracts@8.2.0)",
        path.display(),
        root().display()
    );
}

/// A running anvil, killed (by its own PID) when dropped.
pub struct Anvil {
    child: Child,
    port: u16,
}

impl Drop for Anvil {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Anvil {
    pub fn start() -> Anvil {
        let binary = anvil_binary();
        // The port is free when we look; anvil might still lose it to someone else, so a
        // failed start is retried on another port.
        for _ in 0..3 {
            let port = TcpListener::bind("127.0.0.1:0")
                .and_then(|l| l.local_addr())
                .expect("a free port")
                .port();
            let child = Command::new(&binary)
                .args(["--host", "127.0.0.1", "--port", &port.to_string()])
                .args(["--chain-id", "31337", "--silent"])
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap_or_else(|e| panic!("cannot start {}: {e}", binary.display()));
            let mut anvil = Anvil { child, port };
            let deadline = Instant::now() + Duration::from_secs(10);
            while Instant::now() < deadline {
                if let Ok(Some(_)) = anvil.child.try_wait() {
                    break; // exited: port taken?
                }
                if let Ok(id) = anvil.rpc("eth_chainId", json!([])) {
                    assert_eq!(id, json!("0x7a69"), "chain id 31337");
                    return anvil;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        panic!("anvil did not answer eth_chainId");
    }

    /// One JSON-RPC call; `Err` carries the JSON-RPC error object.
    pub fn rpc(&self, method: &str, params: Value) -> Result<Value, Value> {
        let body = json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params});
        let text = http_post(self.port, &body.to_string()).map_err(|e| json!(e))?;
        let mut reply: Value = serde_json::from_str(&text).map_err(|e| json!(e.to_string()))?;
        match reply.get_mut("error") {
            Some(error) => Err(error.take()),
            None => Ok(reply
                .get_mut("result")
                .map(Value::take)
                .unwrap_or(Value::Null)),
        }
    }

    /// `eth_sendTransaction` from the unlocked account #0 (no signing); waits for the
    /// receipt and checks that the transaction succeeded.
    pub fn send(&self, to: Option<&str>, data: &[u8]) -> Value {
        let mut tx = json!({"from": ACCOUNT0, "data": hex0x(data)});
        if let Some(to) = to {
            tx["to"] = json!(to);
        }
        let hash = self
            .rpc("eth_sendTransaction", json!([tx]))
            .unwrap_or_else(|e| panic!("transaction refused: {e}"));
        // Mined at once, but the receipt can take a moment to be served.
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let receipt = self
                .rpc("eth_getTransactionReceipt", json!([hash]))
                .expect("receipt");
            if !receipt.is_null() {
                assert_eq!(
                    receipt["status"],
                    json!("0x1"),
                    "transaction failed: {receipt}"
                );
                return receipt;
            }
            assert!(Instant::now() < deadline, "no receipt for {hash}");
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    pub fn deploy(&self, init_code: &[u8]) -> String {
        let receipt = self.send(None, init_code);
        receipt["contractAddress"]
            .as_str()
            .expect("contractAddress")
            .to_owned()
    }

    /// `eth_call` at the latest block, as the host would make it: the raw outcome.
    pub fn call(&self, to: &str, data: &[u8]) -> CallOutcome {
        match self.rpc(
            "eth_call",
            json!([{"to": to, "data": hex0x(data)}, "latest"]),
        ) {
            Ok(result) => CallOutcome::Returned(unhex(result.as_str().expect("hex result"))),
            // anvil: {"code": 3, "message": "execution reverted: …", "data": "0x…"}
            Err(error) if is_revert(&error) => {
                CallOutcome::Reverted(error["data"].as_str().map(unhex).unwrap_or_default())
            }
            Err(error) => CallOutcome::Failed(error.to_string()),
        }
    }
}

pub fn is_revert(error: &Value) -> bool {
    error["code"] == json!(3)
        || error["message"]
            .as_str()
            .is_some_and(|m| m.contains("revert"))
}

pub fn http_post(port: u16, body: &str) -> Result<String, String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).map_err(|e| e.to_string())?;
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .map_err(|e| e.to_string())?;
    write!(
        stream,
        "POST / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .map_err(|e| e.to_string())?;
    let mut response = Vec::new();
    stream
        .read_to_end(&mut response)
        .map_err(|e| e.to_string())?;
    let text = String::from_utf8(response).map_err(|e| e.to_string())?;
    let (head, body) = text.split_once("\r\n\r\n").ok_or("no HTTP header end")?;
    if !head.starts_with("HTTP/1.1 200") {
        return Err(format!("HTTP: {}", head.lines().next().unwrap_or_default()));
    }
    if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        return dechunk(body);
    }
    Ok(body.to_owned())
}

pub fn dechunk(mut body: &str) -> Result<String, String> {
    let mut out = String::new();
    loop {
        let (size, rest) = body.split_once("\r\n").ok_or("bad chunk")?;
        let size = usize::from_str_radix(size.trim(), 16).map_err(|e| e.to_string())?;
        if size == 0 {
            return Ok(out);
        }
        out.push_str(rest.get(..size).ok_or("short chunk")?);
        body = rest.get(size + 2..).ok_or("short chunk")?;
    }
}

pub fn hex0x(bytes: &[u8]) -> String {
    format!("0x{}", hex::encode(bytes))
}

pub fn unhex(s: &str) -> Vec<u8> {
    hex::decode(s.trim_start_matches("0x")).expect("hex")
}

pub fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("time")
        .as_millis() as u64
}

// ---------------------------------------------------------------------------------------
// The registry

pub struct Registry {
    pub anvil: Anvil,
    pub address: String,
}

impl Registry {
    /// Deploys StreamRegistryV5 (as a plain contract: V5 has no `_disableInitializers`) and
    /// initialises it with zero ENS cache and trusted forwarder.
    pub fn deploy(anvil: Anvil) -> Registry {
        let artifact = root().join(
            "node_modules/@streamr/network-contracts/dist/artifacts/contracts/StreamRegistry/\
             StreamRegistryV5.sol/StreamRegistryV5.json",
        );
        require(&artifact);
        let json: Value =
            serde_json::from_slice(&std::fs::read(&artifact).expect("artifact")).expect("json");
        let bytecode = unhex(json["bytecode"].as_str().expect("bytecode"));
        let address = anvil.deploy(&bytecode);
        let registry = Registry { anvil, address };
        registry.send(initializeCall {
            ensCacheAddr: Address::ZERO,
            trustedForwarderAddress: Address::ZERO,
        });
        registry
    }

    pub fn send(&self, call: impl SolCall) {
        self.anvil.send(Some(&self.address), &call.abi_encode());
    }

    /// Drives the oracle as a host would: one query, at most one `eth_call`.
    pub fn ask(
        &self,
        oracle: &mut PermissionOracle,
        stream: &str,
        user: Option<&UserId>,
        permission: PermissionType,
        now_ms: u64,
    ) -> Decision {
        let lookup = match user {
            Some(user) => oracle.query(stream, user, permission, now_ms),
            None => oracle.query_public(stream, permission, now_ms),
        }
        .expect("query");
        match lookup {
            Lookup::Call { id, data } => {
                let outcome = self.anvil.call(&self.address, &data);
                let mut decisions = oracle.complete(id, outcome, now_ms).expect("complete");
                assert_eq!(decisions.len(), 1);
                decisions.remove(0)
            }
            other => panic!("expected an eth_call, got {other:?}"),
        }
    }

    /// Whether `user` holds `permission` now, from a fresh oracle (no cache).
    pub fn holds(&self, stream: &str, user: &UserId, permission: PermissionType) -> bool {
        let decision = self.ask(
            &mut PermissionOracle::default(),
            stream,
            Some(user),
            permission,
            now_ms(),
        );
        decision.answer.expect("an answer")
    }
}

pub fn user(n: u8) -> UserId {
    UserId::from([n; 20])
}

pub fn addr_of(user: &UserId) -> Address {
    Address::from_slice(user.as_bytes())
}
