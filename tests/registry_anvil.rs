//! The registry seam against a real chain: anvil with the real StreamRegistryV5 bytecode.
//!
//! Our calldata goes to the contract with `eth_call` and our decoder reads what comes back;
//! nothing here re-implements the encoding we test (the write calls that set the chain up
//! are encoded with the same ABI library, but they are checked by the contract, which
//! reverts on a bad encoding).
//!
//! Needs `npm ci` (the lead's package.json) or, by hand:
//! `npm install --no-save @foundry-rs/anvil@1.7.1 @streamr/network-contracts@8.2.0`.
//! Missing packages fail the test; they never skip it.
//!
//! JSON-RPC goes over a hand-written HTTP/1.1 POST on `std::net::TcpStream` (one request per
//! connection, `Connection: close`): anvil on 127.0.0.1 is the only peer, and it keeps the
//! dev-dependencies at `serde_json`.

#![cfg(not(target_arch = "wasm32"))]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::unreachable
)]

mod chain;

use alloy_primitives::{Bytes, U256};
use chain::*;
use std::time::Instant;
use streamr_e2ee::identity::evm::{EvmSigner, eip191_hash};
use streamr_e2ee::registry::{
    CallOutcome, Lookup, PermissionOracle, PermissionType, abi, erc1271_call, erc1271_outcome,
};
use streamr_e2ee::{ErrorCode, UserId};

#[test]
fn stream_registry_permissions_on_anvil() {
    let started = Instant::now();
    let anvil = Anvil::start();
    let t_anvil = started.elapsed();
    let registry = Registry::deploy(anvil);
    let t_deploy = started.elapsed();

    registry.send(createStreamCall {
        streamIdPath: "/e2ee-test".into(),
        metadataJsonString: "{}".into(),
    });
    let stream = format!("{ACCOUNT0}/e2ee-test");
    let (publisher, subscriber, stranger) = (user(0xa1), user(0xb2), user(0xc3));
    use PermissionType::{Delete, Edit, Grant, Publish, Subscribe};

    // The creator holds everything.
    let owner = UserId::parse(ACCOUNT0).unwrap();
    for p in PermissionType::ALL {
        assert!(registry.holds(&stream, &owner, p), "owner {p:?}");
    }

    // Granted, not granted.
    registry.send(grantPermissionCall {
        streamId: stream.clone(),
        user: addr_of(&publisher),
        permissionType: Publish.as_u8(),
    });
    registry.send(grantPermissionCall {
        streamId: stream.clone(),
        user: addr_of(&subscriber),
        permissionType: Subscribe.as_u8(),
    });
    assert!(registry.holds(&stream, &publisher, Publish));
    assert!(!registry.holds(&stream, &publisher, Subscribe));
    assert!(registry.holds(&stream, &subscriber, Subscribe));
    assert!(!registry.holds(&stream, &subscriber, Publish));
    for p in [Edit, Delete, Publish, Subscribe, Grant] {
        assert!(!registry.holds(&stream, &stranger, p), "stranger {p:?}");
    }

    // One eth_call answers both of the publisher's questions (deduplicated in flight).
    let mut oracle = PermissionOracle::default();
    let now = now_ms();
    let Lookup::Call { id, data } = oracle.query(&stream, &publisher, Publish, now).unwrap() else {
        panic!("expected a call");
    };
    assert_eq!(
        oracle.query(&stream, &publisher, Subscribe, now).unwrap(),
        Lookup::Pending(id)
    );
    let decisions = oracle
        .complete(id, registry.anvil.call(&registry.address, &data), now)
        .unwrap();
    let answers: Vec<_> = decisions
        .iter()
        .map(|d| (d.query.permission, d.granted()))
        .collect();
    assert_eq!(answers, [(Publish, true), (Subscribe, false)]);
    assert_eq!(
        oracle.query(&stream, &publisher, Publish, now).unwrap(),
        Lookup::Known(true)
    );

    // Revoked: the cache still says yes until invalidated; the chain says no.
    assert_eq!(
        registry
            .ask(&mut oracle, &stream, Some(&subscriber), Subscribe, now)
            .answer,
        Ok(true)
    );
    registry.send(revokePermissionCall {
        streamId: stream.clone(),
        user: addr_of(&subscriber),
        permissionType: Subscribe.as_u8(),
    });
    assert_eq!(
        oracle.query(&stream, &subscriber, Subscribe, now).unwrap(),
        Lookup::Known(true)
    );
    oracle.invalidate_user(&subscriber);
    assert_eq!(
        registry
            .ask(&mut oracle, &stream, Some(&subscriber), Subscribe, now)
            .answer,
        Ok(false)
    );

    // Expired, and expiring: setExpirationTime stores the time as given.
    let now_s = now_ms() / 1000;
    let (expired, expiring) = (user(0xd4), user(0xe5));
    registry.send(setExpirationTimeCall {
        streamId: stream.clone(),
        user: addr_of(&expired),
        permissionType: Publish.as_u8(),
        expirationTime: U256::from(now_s - 60),
    });
    registry.send(setExpirationTimeCall {
        streamId: stream.clone(),
        user: addr_of(&expiring),
        permissionType: Subscribe.as_u8(),
        expirationTime: U256::from(now_s + 3600),
    });
    assert!(!registry.holds(&stream, &expired, Publish));
    assert!(registry.holds(&stream, &expiring, Subscribe));
    let raw = registry.anvil.call(
        &registry.address,
        &abi::get_permissions_for_user_id_call(&stream, &expiring),
    );
    let CallOutcome::Returned(raw) = raw else {
        panic!("expected a result, got {raw:?}");
    };
    let perms = abi::decode_get_permissions_for_user_id(&raw).unwrap();
    assert_eq!(perms.subscribe_expiration, now_s + 3600);
    assert!(perms.allows(Subscribe, (now_s + 3599) * 1000));
    assert!(!perms.allows(Subscribe, (now_s + 3600) * 1000));
    // The oracle caps its cache entry at the expiration: asked (from cache) a second before
    // and a second after.
    let mut oracle = PermissionOracle::default();
    let at = (now_s + 3600 - 100) * 1000; // within the 5-minute TTL of the expiration
    assert_eq!(
        registry
            .ask(&mut oracle, &stream, Some(&expiring), Subscribe, at)
            .answer,
        Ok(true)
    );
    assert_eq!(
        oracle
            .query(&stream, &expiring, Subscribe, (now_s + 3599) * 1000)
            .unwrap(),
        Lookup::Known(true)
    );
    assert!(matches!(
        oracle
            .query(&stream, &expiring, Subscribe, (now_s + 3600) * 1000)
            .unwrap(),
        Lookup::Call { .. }
    ));

    // Non-EVM user ids go as raw bytes: a 33-byte P-256 id and a 2592-byte ML-DSA-87 id.
    for id in [vec![0x02; 33], vec![0x5a; 2592]] {
        let id = UserId::from_bytes(&id).unwrap();
        assert!(!registry.holds(&stream, &id, Subscribe));
        registry.send(grantPermissionForUserIdCall {
            streamId: stream.clone(),
            user: Bytes::copy_from_slice(id.as_bytes()),
            permissionType: Subscribe.as_u8(),
        });
        assert!(registry.holds(&stream, &id, Subscribe));
        assert!(!registry.holds(&stream, &id, Publish));
    }

    // Public: no public SUBSCRIBE (so: encrypt) until granted; then everyone subscribes,
    // through getPermissionsForUserId as well.
    let mut oracle = PermissionOracle::default();
    let now = now_ms();
    let public = registry.ask(&mut oracle, &stream, None, Subscribe, now);
    assert_eq!(public.answer, Ok(false));
    registry.send(grantPublicPermissionCall {
        streamId: stream.clone(),
        permissionType: Subscribe.as_u8(),
    });
    assert_eq!(
        oracle.query_public(&stream, Subscribe, now).unwrap(),
        Lookup::Known(false),
        "cached"
    );
    oracle.invalidate_stream(&stream);
    assert_eq!(
        registry
            .ask(&mut oracle, &stream, None, Subscribe, now)
            .answer,
        Ok(true)
    );
    assert_eq!(
        registry
            .ask(&mut oracle, &stream, None, Publish, now)
            .answer,
        Ok(false)
    );
    assert!(registry.holds(&stream, &stranger, Subscribe));
    assert!(!registry.holds(&stream, &stranger, Publish));

    // A stream that does not exist: getPermissionsForUserId reverts → STREAM_NOT_FOUND;
    // hasPublicPermission does not revert (it says no).
    let missing = format!("{ACCOUNT0}/no-such-stream");
    let decision = registry.ask(
        &mut PermissionOracle::default(),
        &missing,
        Some(&publisher),
        Publish,
        now_ms(),
    );
    let error = decision.answer.clone().unwrap_err();
    assert_eq!(error.code(), ErrorCode::StreamNotFound, "{error}");
    assert_eq!(error.code().as_str(), "STREAM_NOT_FOUND");
    assert!(!decision.granted());
    let outcome = registry.anvil.call(
        &registry.address,
        &abi::get_permissions_for_user_id_call(&missing, &publisher),
    );
    let CallOutcome::Reverted(data) = outcome else {
        panic!("expected a revert, got {outcome:?}");
    };
    assert_eq!(
        abi::decode_revert_reason(&data).as_deref(),
        Some(abi::STREAM_DOES_NOT_EXIST_REASON)
    );
    let public = registry.ask(
        &mut PermissionOracle::default(),
        &missing,
        None,
        Subscribe,
        now_ms(),
    );
    assert_eq!(public.answer, Ok(false));

    eprintln!(
        "registry_anvil: anvil up {:?}, deployed + initialised {:?}, whole test {:?}",
        t_anvil,
        t_deploy,
        started.elapsed()
    );
}

// ---------------------------------------------------------------------------------------
// ERC-1271

/// `Erc1271Wallet`: a signature is valid iff `owner` made it over `hash`. Compiled with
/// solc-js 0.8.37 (`npm install solc@0.8.37`, `solc.compile` with optimizer on, 200 runs,
/// `evmVersion: "cancun"`, `metadata: { bytecodeHash: "none", appendCBOR: false }`) from:
///
/// ```solidity
/// // SPDX-License-Identifier: Apache-2.0
/// pragma solidity 0.8.37;
///
/// contract Erc1271Wallet {
///     address public immutable owner;
///
///     constructor(address owner_) {
///         owner = owner_;
///     }
///
///     function isValidSignature(bytes32 hash, bytes calldata signature) external view returns (bytes4) {
///         require(signature.length == 65, "bad signature length");
///         bytes32 r = bytes32(signature[0:32]);
///         bytes32 s = bytes32(signature[32:64]);
///         uint8 v = uint8(signature[64]);
///         return ecrecover(hash, v, r, s) == owner ? bytes4(0x1626ba7e) : bytes4(0xffffffff);
///     }
/// }
/// ```
///
/// The constructor argument (the owner, one ABI word) is appended at deployment.
const ERC1271_WALLET_INIT_CODE: &str = "60a0604052348015600e575f5ffd5b5060405161034a38038061034a833981016040819052602b91603b565b6001600160a01b03166080526066565b5f60208284031215604a575f5ffd5b81516001600160a01b0381168114605f575f5ffd5b9392505050565b6080516102c66100845f395f8181606e015261017501526102c65ff3fe608060405234801561000f575f5ffd5b5060043610610034575f3560e01c80631626ba7e146100385780638da5cb5b14610069575b5f5ffd5b61004b6100463660046101f6565b6100a8565b6040516001600160e01b031990911681526020015b60405180910390f35b6100907f000000000000000000000000000000000000000000000000000000000000000081565b6040516001600160a01b039091168152602001610060565b5f604182146100f45760405162461bcd60e51b81526020600482015260146024820152730c4c2c840e6d2cedcc2e8eae4ca40d8cadccee8d60631b604482015260640160405180910390fd5b5f610102602082858761026d565b61010b91610294565b90505f61011c60406020868861026d565b61012591610294565b90505f8585604081811061013b5761013b6102b2565b604080515f8152602081018083528c9052939091013560f81c90830181905260608301869052608083018590529250506001600160a01b037f0000000000000000000000000000000000000000000000000000000000000000169060019060a0016020604051602081039080840390855afa1580156101bc573d5f5f3e3d5ffd5b505050602060405103516001600160a01b0316146101e2576001600160e01b03196101eb565b630b135d3f60e11b5b979650505050505050565b5f5f5f60408486031215610208575f5ffd5b83359250602084013567ffffffffffffffff811115610225575f5ffd5b8401601f81018613610235575f5ffd5b803567ffffffffffffffff81111561024b575f5ffd5b86602082840101111561025c575f5ffd5b939660209190910195509293505050565b5f5f8585111561027b575f5ffd5b83861115610287575f5ffd5b5050820193919092039150565b803560208310156102ac575f19602084900360031b1b165b92915050565b634e487b7160e01b5f52603260045260245ffd";

#[test]
fn erc1271_wallet_on_anvil() {
    let started = Instant::now();
    let anvil = Anvil::start();
    let owner = EvmSigner::generate().unwrap();
    let stranger = EvmSigner::generate().unwrap();
    let mut init_code = unhex(ERC1271_WALLET_INIT_CODE);
    init_code.extend_from_slice(&[0u8; 12]);
    init_code.extend_from_slice(&owner.address());
    let wallet = UserId::parse(&anvil.deploy(&init_code)).unwrap();

    let verify = |digest: &[u8; 32], signature: &[u8]| {
        let call = erc1271_call(&wallet, digest, signature).unwrap();
        erc1271_outcome(anvil.call(&hex0x(&call.to), &call.data))
    };
    // The digest the core passes is the EIP-191 hash of the signature payload (spec §4).
    let payload = b"streamr-e2ee ERC-1271 check";
    let digest = eip191_hash(payload);
    let good = owner.sign(payload).unwrap();
    assert_eq!(verify(&digest, &good), Ok(true));
    // Someone else's signature, or another digest: the wallet returns 0xffffffff.
    assert_eq!(verify(&digest, &stranger.sign(payload).unwrap()), Ok(false));
    assert_eq!(verify(&eip191_hash(b"other payload"), &good), Ok(false));
    // A signature of the wrong length: the wallet reverts, which means "invalid".
    let call = erc1271_call(&wallet, &digest, &good[..64]).unwrap();
    let outcome = anvil.call(&hex0x(&call.to), &call.data);
    let CallOutcome::Reverted(data) = &outcome else {
        panic!("expected a revert, got {outcome:?}");
    };
    assert_eq!(
        abi::decode_revert_reason(data).as_deref(),
        Some("bad signature length")
    );
    assert_eq!(erc1271_outcome(outcome), Ok(false));
    // An address without code answers nothing: a failed check, not a "valid".
    let no_code = UserId::from([0x77; 20]);
    let call = erc1271_call(&no_code, &digest, &good).unwrap();
    let error = erc1271_outcome(anvil.call(&hex0x(&call.to), &call.data)).unwrap_err();
    assert_eq!(error.code(), ErrorCode::PermissionCheckFailed);

    eprintln!("registry_anvil: ERC-1271 test {:?}", started.elapsed());
}
