#!/usr/bin/env python3
"""Writes fuzz/seeds/<target>/ from the SDK vectors in tests/vectors/ (run once; committed)."""
import hashlib, json, os, struct

root = os.path.join(os.path.dirname(__file__), '..')
out = os.path.join(os.path.dirname(__file__), 'seeds')

def vec(name):
    return json.load(open(os.path.join(root, 'tests', 'vectors', name + '.json')))

def put(target, data):
    d = os.path.join(out, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, hashlib.sha1(data).hexdigest()[:16]), 'wb') as f:
        f.write(data)

messages = []
for v in vec('content_messages')['vectors']:
    messages.append(bytes.fromhex(v['streamMessageProtobufHex']))
for v in vec('key_exchange_messages')['vectors']:
    messages.append(bytes.fromhex(v['request']['streamMessageProtobufHex']))
    messages.append(bytes.fromhex(v['response']['streamMessageProtobufHex']))
for m in messages:
    put('stream_message', m)
    put('subscriber', m)
    put('publisher', m)
    name = b'0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266/fuzz#0'
    put('relay_frame', b'\x01' + b'\x01' + struct.pack('>H', len(name)) + name + m)
put('relay_frame', b'\x00{"type":"subscribe","id":1,"streamPartition":"0xabc/x#0"}')
put('relay_frame', b'\x00{"type":"ping","id":"a"}')

for v in vec('key_exchange_asymmetric')['vectors']:
    for k in ('publicKeyPem', 'privateKeyPem'):
        if k in v:
            put('pem_spki', v[k].encode())
    if 'publicKeyHex' in v:
        put('pem_spki', bytes.fromhex(v['publicKeyHex']))
    put('decrypt', bytes.fromhex(v['encryptedGroupKeyDataHex']))
for v in vec('aes_payload')['vectors'] + vec('aes_payload')['counterEdgeVectors']:
    put('decrypt', bytes.fromhex(v['ciphertextHex']))
for v in vec('group_key_rotation')['vectors']:
    put('decrypt', bytes.fromhex(v['encryptedGroupKey']['dataHex']))

word = lambda n: n.to_bytes(32, 'big')
put('abi', word(1))
put('abi', bytes.fromhex('1626ba7e') + bytes(28))
put('abi', word(0) * 2 + word(2**256 - 1) * 2 + word(1))
reason = b'stream not found'
put('abi', bytes.fromhex('08c379a0') + word(32) + word(len(reason)) + reason.ljust(32, b'\0'))
