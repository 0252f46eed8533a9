// Настройки страницы операторов. При развёртывании этот файл перезаписывается адресом API и параметрами Cognito:
// window.TSUR_CONFIG = {api: "https://…", auth: "cognito", cognito_domain: "https://….auth….amazoncognito.com",
//                       client_id: "…", redirect_uri: "https://…/admin/"};
window.TSUR_CONFIG = {api: "", auth: "local"};
