module example.com/crm-go-example

go 1.19
