-- wrk: etcd v3 JSON gateway puts (POST /v3/kv/put, base64 key and value) of a ~100-byte
-- value under one of E2E_ACCOUNTS keys, the counterpart of one transfer.
dofile(os.getenv("E2E_LUA_DIR") .. "/common.lua")
local keys = tonumber(os.getenv("E2E_ACCOUNTS"))
local path = os.getenv("E2E_PATH")
local headers = {["Content-Type"] = "application/json"}
local alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

local function base64(text)
  local out = {}
  for i = 1, #text, 3 do
    local a, b, c = text:byte(i, i + 2)
    local n = a * 65536 + (b or 0) * 256 + (c or 0)
    for j = 3, 0, -1 do
      local k = math.floor(n / 64 ^ j) % 64
      out[#out + 1] = alphabet:sub(k + 1, k + 1)
    end
    if not c then out[#out] = "=" end
    if not b then out[#out - 1] = "=" end
  end
  return table.concat(out)
end

local encoded = {}

function init(args)
  statuses = {}
  seed_random()
  local value = base64(string.rep("v", 100))
  for i = 0, keys - 1 do
    encoded[i] = '{"key":"' .. base64("users:" .. i) .. '","value":"' .. value .. '"}'
  end
end

function request()
  return wrk.format("POST", path, headers, encoded[math.random(0, keys - 1)])
end

function response(status, headers, body)
  count_status(status)
end
