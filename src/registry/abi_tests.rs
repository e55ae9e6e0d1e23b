//! Tests of `abi.rs`: selectors, calldata against known encodings, strict decoding.

use super::*;

fn hex_words(words: &[&str]) -> Vec<u8> {
    hex::decode(words.concat()).unwrap()
}

// Expected calldata below was produced by an independent encoder, ethers v6.17.0
// (`new Interface(StreamRegistryV5.abi).encodeFunctionData(...)`), run once with node and
// pasted here, split into 32-byte words after the selector.

#[test]
fn selectors() {
    assert_eq!(hex::encode(HAS_PUBLIC_PERMISSION_SELECTOR), "fb5642a0");
    assert_eq!(
        hex::encode(GET_PERMISSIONS_FOR_USER_ID_SELECTOR),
        "7aa31f8c"
    );
    assert_eq!(hex::encode(IS_VALID_SIGNATURE_SELECTOR), "1626ba7e");
    assert_eq!(IS_VALID_SIGNATURE_SELECTOR, ERC1271_MAGIC_VALUE);
    assert_eq!(hex::encode(SET_PERMISSIONS_FOR_USER_SELECTOR), "d2d78c3e");
    assert_eq!(
        hex::encode(REVOKE_ALL_PERMISSIONS_FOR_USER_SELECTOR),
        "50b5422b"
    );
}

const USER: [u8; 20] = [
    0x70, 0x99, 0x79, 0x70, 0xc5, 0x18, 0x12, 0xdc, 0x3a, 0x01, 0x0c, 0x7d, 0x01, 0xb5, 0x0e, 0x0d,
    0x17, 0xdc, 0x79, 0xc8,
];

#[test]
fn set_permissions_for_user_calldata() {
    let data = set_permissions_for_user_call("0xabc/x", &USER, 1_800_000_000, 0);
    // ethers: encodeFunctionData('setPermissionsForUser',
    //   ['0xabc/x', '0x7099…79C8', false, false, 1800000000, 0, false])
    let expected = hex_words(&[
        "d2d78c3e",
        "00000000000000000000000000000000000000000000000000000000000000e0", // streamId at 0xe0
        "00000000000000000000000070997970c51812dc3a010c7d01b50e0d17dc79c8", // user
        "0000000000000000000000000000000000000000000000000000000000000000", // canEdit
        "0000000000000000000000000000000000000000000000000000000000000000", // canDelete
        "000000000000000000000000000000000000000000000000000000006b49d200", // publish: 1800000000
        "0000000000000000000000000000000000000000000000000000000000000000", // subscribe: 0
        "0000000000000000000000000000000000000000000000000000000000000000", // canGrant
        "0000000000000000000000000000000000000000000000000000000000000007", // 7 bytes:
        "30786162632f7800000000000000000000000000000000000000000000000000", // "0xabc/x"
    ]);
    assert_eq!(hex::encode(&data), hex::encode(&expected));
    // ethers: ['s', '0x7099…79C8', false, false, 2^53 - 1, 1800000001, false]
    let data = set_permissions_for_user_call("s", &USER, (1 << 53) - 1, 1_800_000_001);
    let expected = hex_words(&[
        "d2d78c3e",
        "00000000000000000000000000000000000000000000000000000000000000e0",
        "00000000000000000000000070997970c51812dc3a010c7d01b50e0d17dc79c8",
        "0000000000000000000000000000000000000000000000000000000000000000",
        "0000000000000000000000000000000000000000000000000000000000000000",
        "000000000000000000000000000000000000000000000000001fffffffffffff",
        "000000000000000000000000000000000000000000000000000000006b49d201",
        "0000000000000000000000000000000000000000000000000000000000000000",
        "0000000000000000000000000000000000000000000000000000000000000001",
        "7300000000000000000000000000000000000000000000000000000000000000",
    ]);
    assert_eq!(hex::encode(&data), hex::encode(&expected));
}

#[test]
fn revoke_all_permissions_for_user_calldata() {
    let data = revoke_all_permissions_for_user_call("0xabc/x", &USER);
    // ethers: encodeFunctionData('revokeAllPermissionsForUser', ['0xabc/x', '0x7099…79C8'])
    let expected = hex_words(&[
        "50b5422b",
        "0000000000000000000000000000000000000000000000000000000000000040", // streamId at 0x40
        "00000000000000000000000070997970c51812dc3a010c7d01b50e0d17dc79c8", // user
        "0000000000000000000000000000000000000000000000000000000000000007",
        "30786162632f7800000000000000000000000000000000000000000000000000",
    ]);
    assert_eq!(hex::encode(&data), hex::encode(&expected));
}

#[test]
fn session_calls_round_trip() {
    let stream = "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266/session";
    let data = set_permissions_for_user_call(stream, &[0xab; 20], 1_900_000_000, u64::MAX);
    let call = sol::setPermissionsForUserCall::abi_decode_validate(&data).unwrap();
    assert_eq!(call.streamId, stream);
    assert_eq!(call.user, Address::from([0xab; 20]));
    assert_eq!(call.publishExpiration, U256::from(1_900_000_000u64));
    assert_eq!(call.subscribeExpiration, U256::from(u64::MAX));
    assert!(!call.canEdit && !call.canDelete && !call.canGrant);
    let data = revoke_all_permissions_for_user_call(stream, &[0xcd; 20]);
    let call = sol::revokeAllPermissionsForUserCall::abi_decode_validate(&data).unwrap();
    assert_eq!(
        (call.streamId.as_str(), call.user),
        (stream, Address::from([0xcd; 20]))
    );
}

#[test]
fn has_public_permission_calldata() {
    let data = has_public_permission_call(
        "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266/e2ee-test",
        PermissionType::Subscribe,
    );
    // ethers: encodeFunctionData('hasPublicPermission', ['0xf39f…2266/e2ee-test', 3])
    let expected = hex_words(&[
        "fb5642a0",
        "0000000000000000000000000000000000000000000000000000000000000040", // streamId at 0x40
        "0000000000000000000000000000000000000000000000000000000000000003", // SUBSCRIBE
        "0000000000000000000000000000000000000000000000000000000000000034", // 52 bytes:
        "3078663339666436653531616164383866366634636536616238383237323739", // "0xf39fd6e51aad88f6f4ce6ab8827279"
        "636666666239323236362f653265652d74657374000000000000000000000000", // "cfffb92266/e2ee-test" + padding
    ]);
    assert_eq!(hex::encode(&data), hex::encode(&expected));
}

#[test]
fn get_permissions_for_user_id_calldata() {
    let user = UserId::parse("0x70997970C51812dc3A010C7d01b50e0d17dc79C8").unwrap();
    let data = get_permissions_for_user_id_call("0xabc/x", &user);
    // ethers: encodeFunctionData('getPermissionsForUserId', ['0xabc/x', '0x7099…79C8'])
    let expected = hex_words(&[
        "7aa31f8c",
        "0000000000000000000000000000000000000000000000000000000000000040", // streamId at 0x40
        "0000000000000000000000000000000000000000000000000000000000000080", // user at 0x80
        "0000000000000000000000000000000000000000000000000000000000000007", // 7 bytes:
        "30786162632f7800000000000000000000000000000000000000000000000000", // "0xabc/x" + padding
        "0000000000000000000000000000000000000000000000000000000000000014", // 20 bytes:
        "70997970c51812dc3a010c7d01b50e0d17dc79c8000000000000000000000000", // the address + padding
    ]);
    assert_eq!(hex::encode(&data), hex::encode(&expected));
}

#[test]
fn get_permissions_for_long_user_id() {
    // A 33-byte (P-256) id takes two words.
    let user = UserId::from_bytes(&[0xab; 33]).unwrap();
    let data = get_permissions_for_user_id_call("s", &user);
    // ethers: encodeFunctionData('getPermissionsForUserId', ['s', '0x' + 'ab'.repeat(33)])
    let expected = hex_words(&[
        "7aa31f8c",
        "0000000000000000000000000000000000000000000000000000000000000040",
        "0000000000000000000000000000000000000000000000000000000000000080",
        "0000000000000000000000000000000000000000000000000000000000000001", // 1 byte:
        "7300000000000000000000000000000000000000000000000000000000000000", // "s"
        "0000000000000000000000000000000000000000000000000000000000000021", // 33 bytes:
        "abababababababababababababababababababababababababababababababab",
        "ab00000000000000000000000000000000000000000000000000000000000000",
    ]);
    assert_eq!(hex::encode(&data), hex::encode(&expected));
    // An ML-DSA-87 id (2592 bytes = 81 words exactly): two offsets, "s" (length + one
    // word), the id's length and its 81 words.
    let big = UserId::from_bytes(&[7; 2592]).unwrap();
    assert_eq!(
        get_permissions_for_user_id_call("s", &big).len(),
        4 + 32 * 5 + 2592
    );
}

#[test]
fn is_valid_signature_calldata() {
    let data = is_valid_signature_call(&[0x11; 32], &[0x22; 65]);
    // ethers: encodeFunctionData('isValidSignature', ['0x' + '11'.repeat(32), '0x' + '22'.repeat(65)])
    let expected = hex_words(&[
        "1626ba7e",
        "1111111111111111111111111111111111111111111111111111111111111111", // hash
        "0000000000000000000000000000000000000000000000000000000000000040", // signature at 0x40
        "0000000000000000000000000000000000000000000000000000000000000041", // 65 bytes:
        "2222222222222222222222222222222222222222222222222222222222222222",
        "2222222222222222222222222222222222222222222222222222222222222222",
        "2200000000000000000000000000000000000000000000000000000000000000",
    ]);
    assert_eq!(hex::encode(&data), hex::encode(&expected));
}

#[test]
fn decodes_permissions() {
    let words = hex_words(&[
        "0000000000000000000000000000000000000000000000000000000000000001", // canEdit
        "0000000000000000000000000000000000000000000000000000000000000000", // canDelete
        "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", // publish: forever
        "000000000000000000000000000000000000000000000000000000006553f100", // subscribe: 1700000000
        "0000000000000000000000000000000000000000000000000000000000000001", // canGrant
    ]);
    let p = decode_get_permissions_for_user_id(&words).unwrap();
    assert_eq!(
        p,
        UserPermissions {
            can_edit: true,
            can_delete: false,
            publish_expiration: u64::MAX,
            subscribe_expiration: 1_700_000_000,
            can_grant: true,
        }
    );
    // 2^64 exactly is "forever" too.
    let mut w = words.clone();
    w[96..128].copy_from_slice(&hex_words(&[
        "0000000000000000000000000000000000000000000000010000000000000000",
    ]));
    assert_eq!(
        decode_get_permissions_for_user_id(&w)
            .unwrap()
            .subscribe_expiration,
        u64::MAX
    );
}

#[test]
fn decodes_bool_and_magic() {
    let one = hex_words(&["0000000000000000000000000000000000000000000000000000000000000001"]);
    let zero = vec![0u8; 32];
    assert!(decode_has_public_permission(&one).unwrap());
    assert!(!decode_has_public_permission(&zero).unwrap());
    let magic = hex_words(&["1626ba7e00000000000000000000000000000000000000000000000000000000"]);
    assert_eq!(
        decode_is_valid_signature(&magic).unwrap(),
        ERC1271_MAGIC_VALUE
    );
    let other = hex_words(&["ffffffff00000000000000000000000000000000000000000000000000000000"]);
    assert_eq!(decode_is_valid_signature(&other).unwrap(), [0xff; 4]);
}

#[test]
fn rejects_garbage() {
    let one = hex_words(&["0000000000000000000000000000000000000000000000000000000000000001"]);
    // Short, empty, trailing bytes.
    for bad in [&[][..], &one[..31], &[one.clone(), vec![0]].concat()[..]] {
        let e = decode_has_public_permission(bad).unwrap_err();
        assert_eq!(e.code(), crate::ErrorCode::MalformedMessage, "{bad:?}");
    }
    // A bool other than 0 or 1.
    let mut two = one.clone();
    two[31] = 2;
    assert!(decode_has_public_permission(&two).is_err());
    let mut dirty = one.clone();
    dirty[0] = 1;
    assert!(decode_has_public_permission(&dirty).is_err());
    // bytes4 with non-zero padding.
    let mut magic =
        hex_words(&["1626ba7e00000000000000000000000000000000000000000000000000000000"]);
    magic[31] = 1;
    assert!(decode_is_valid_signature(&magic).is_err());
    assert!(decode_is_valid_signature(&[0x16, 0x26, 0xba, 0x7e]).is_err());
    // The permission struct: too short, too long, a dirty bool.
    let perms = [
        one.clone(),
        one.clone(),
        one.clone(),
        one.clone(),
        one.clone(),
    ]
    .concat();
    assert!(decode_get_permissions_for_user_id(&perms).is_ok());
    assert!(decode_get_permissions_for_user_id(&perms[..159]).is_err());
    assert!(decode_get_permissions_for_user_id(&[perms.clone(), one.clone()].concat()).is_err());
    let mut p = perms.clone();
    p[159] = 7;
    assert!(decode_get_permissions_for_user_id(&p).is_err());
}

#[test]
fn revert_reasons() {
    // `require(false, "error_streamDoesNotExist")`, as anvil returns it.
    let data = hex_words(&[
        "08c379a0",
        "0000000000000000000000000000000000000000000000000000000000000020",
        "0000000000000000000000000000000000000000000000000000000000000018",
        "6572726f725f73747265616d446f65734e6f7445786973740000000000000000",
    ]);
    assert_eq!(
        decode_revert_reason(&data).as_deref(),
        Some(STREAM_DOES_NOT_EXIST_REASON)
    );
    assert_eq!(decode_revert_reason(&[]), None);
    assert_eq!(decode_revert_reason(&data[..40]), None);
    // A length far past the end, and a huge uint256 length.
    let mut long = data.clone();
    long[4 + 63] = 0xff;
    assert_eq!(decode_revert_reason(&long), None);
    let mut huge = data.clone();
    huge[4 + 32..4 + 64].fill(0xff);
    assert_eq!(decode_revert_reason(&huge), None);
    // Wrong offset.
    let mut off = data.clone();
    off[4 + 31] = 0x40;
    assert_eq!(decode_revert_reason(&off), None);
}

#[test]
fn random_garbage_never_panics() {
    // xorshift: deterministic, no dev-dependency.
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let seeds: [&[u8]; 3] = [
        &hex_words(&["08c379a0"]),
        &GET_PERMISSIONS_FOR_USER_ID_SELECTOR,
        &[],
    ];
    for i in 0..20_000 {
        let len = (next() % 260) as usize;
        let mut data: Vec<u8> = seeds[i % 3].to_vec();
        while data.len() < len {
            // Mostly small words (0, 1, 0x20, lengths), sometimes random bytes.
            let r = next();
            if r % 4 == 0 {
                data.extend_from_slice(&r.to_be_bytes());
            } else {
                let mut w = [0u8; 32];
                w[31] = (r >> 8) as u8 & 0x7f;
                if r % 7 == 0 {
                    w[0] = 0xff;
                }
                data.extend_from_slice(&w);
            }
        }
        data.truncate(len);
        let _ = decode_has_public_permission(&data);
        let _ = decode_get_permissions_for_user_id(&data);
        let _ = decode_is_valid_signature(&data);
        let _ = decode_revert_reason(&data);
    }
}
