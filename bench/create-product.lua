-- wrk script: each request creates a distinct product with two variants and two prices.
-- `id` is a global that setup() gives each thread's own Lua state, so names never collide.
local counter = 0
local threads = 0
local key = os.getenv("KEY")

setup = function(thread)
    thread:set("id", threads)
    threads = threads + 1
end

request = function()
    counter = counter + 1
    local n = string.format("%d-%d", id, counter)
    local body = '{"title":"Bench shirt ' .. n .. '","handle":"bench-' .. n .. '",' ..
        '"options":["Size"],"tags":["bench"],"variants":[' ..
        '{"sku":"B-' .. n .. '-S","option_values":["S"],"prices":[{"currency":"USD","amount":1999},{"currency":"EUR","amount":1899}]},' ..
        '{"sku":"B-' .. n .. '-M","option_values":["M"],"prices":[{"currency":"USD","amount":1999},{"currency":"EUR","amount":1899}]}]}'
    return wrk.format("POST", "/v1/products", {
        ["Authorization"] = "Bearer " .. key,
        ["Content-Type"] = "application/json",
    }, body)
end
