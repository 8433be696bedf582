-- wrk script: each request creates a distinct product with two variants and two prices.
local counter = 0
local thread_id = 0
local key = os.getenv("KEY")

setup = function(thread)
    thread:set("thread_id", thread_id)
    thread_id = thread_id + 1
end

request = function()
    counter = counter + 1
    local n = string.format("%d-%d", thread_id, counter)
    local body = '{"title":"Bench shirt ' .. n .. '","handle":"bench-' .. n .. '",' ..
        '"options":["Size"],"tags":["bench"],"variants":[' ..
        '{"sku":"B-' .. n .. '-S","option_values":["S"],"prices":[{"currency":"USD","amount":1999},{"currency":"EUR","amount":1899}]},' ..
        '{"sku":"B-' .. n .. '-M","option_values":["M"],"prices":[{"currency":"USD","amount":1999},{"currency":"EUR","amount":1899}]}]}'
    return wrk.format("POST", "/v1/products", {
        ["Authorization"] = "Bearer " .. key,
        ["Content-Type"] = "application/json",
    }, body)
end
